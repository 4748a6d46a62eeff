import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Envelope, ModelProgress } from '../../../shared/api';
import { forkLauncher, sourceEntry } from '../../../main/engine/process/launcher';
import { type AppServices, createAppServices } from '../../../main/services/app';
import { cacheDir } from '../../setup/global';
import { HubServer, testBytes } from '../models/hubServer';
import { memoryLogger } from './helpers';

let hub: HubServer;
let services: AppServices;
let modelsDir: string;
const progress: ModelProgress[] = [];

beforeAll(async () => {
  hub = new HubServer();
  await hub.start();
  hub.host('org/lic/a.bin', testBytes(20_000, 41));
  hub.host('org/lic/b.bin', testBytes(20_000, 42));
  const work = mkdtempSync(join(cacheDir, 'licences-'));
  modelsDir = join(work, 'models');
  const catalog = join(work, 'catalog.json');
  writeFileSync(
    catalog,
    JSON.stringify({
      licenses: [
        {
          id: 'strict-licence',
          name: 'Strict Licence',
          url: 'https://example.com/strict',
          summary: 'Use it kindly.',
          restrictions: ['No use to harm people.', 'Pass these terms on.'],
        },
      ],
      models: [
        {
          id: 'licensed',
          title: 'Licensed model',
          role: 'tokenizer',
          license: 'strict-licence',
          files: [{ url: hub.catalogUrl('org/lic/a.bin'), path: 'a.bin', bytes: null, sha256: null }],
        },
        {
          id: 'unhashed',
          title: 'A model nobody published a hash for',
          role: 'tokenizer',
          license: 'strict-licence',
          files: [{ url: hub.catalogUrl('org/lic/b.bin'), path: 'b.bin', bytes: null, sha256: null }],
        },
      ],
    }),
  );
  const env = { ...process.env, IIR_USER_DATA: work, IIR_MODELS_DIR: modelsDir, IIR_HUB_ENDPOINT: hub.hubUrl };
  services = await createAppServices({
    userDataDir: work,
    launcher: forkLauncher(sourceEntry(), env),
    env,
    logger: memoryLogger(),
  });
  services.emitter.subscribe((channel, payload) => {
    if (channel === 'models:progress') progress.push(payload as ModelProgress);
  });
  await dispatch('settings:set', { catalogs: [catalog] });
});

afterAll(async () => {
  await services.dispose();
  await hub.stop();
});

function dispatch(channel: string, request: unknown): Promise<Envelope<unknown>> {
  return services.router.dispatch(channel, request, { transport: 'websocket' });
}

describe('licences before the first download, through the API', () => {
  it('refuses a pull until the user accepted the licence text they were shown, then records who, when and which', async () => {
    const refused = await dispatch('models:pull', { ids: ['licensed'] });
    expect(refused).toMatchObject({ ok: false, error: { code: 'invalid_argument' } });
    expect(!refused.ok && refused.error.message).toMatch(/accept the licence first: Strict Licence/);
    // The old shortcut, "acceptLicenses: true" on the pull itself, no longer exists.
    const shortcut = await dispatch('models:pull', { ids: ['licensed'], acceptLicenses: true });
    expect(shortcut).toMatchObject({ ok: false, error: { code: 'invalid_argument' } });
    expect(existsSync(join(modelsDir, 'licenses-accepted.json'))).toBe(false);

    const shown = await dispatch('models:licenses', { ids: ['licensed'] });
    if (!shown.ok) throw new Error(shown.error.message);
    const [licence] = (shown.value as { licenses: { id: string; sha256: string; accepted: boolean }[] }).licenses;
    expect(licence).toMatchObject({
      id: 'strict-licence',
      name: 'Strict Licence',
      url: 'https://example.com/strict',
      restrictions: ['No use to harm people.', 'Pass these terms on.'],
      accepted: false,
    });
    expect(licence!.sha256).toMatch(/^[0-9a-f]{64}$/);

    const stale = await dispatch('models:acceptLicenses', {
      licenses: [{ id: 'strict-licence', sha256: '0'.repeat(64) }],
    });
    expect(stale).toMatchObject({ ok: false, error: { code: 'invalid_argument' } });
    expect(!stale.ok && stale.error.message).toMatch(/changed since it was shown/);

    const before = Date.now();
    expect(
      await dispatch('models:acceptLicenses', { licenses: [{ id: 'strict-licence', sha256: licence!.sha256 }] }),
    ).toEqual({ ok: true, value: { accepted: ['strict-licence'] } });
    const record = JSON.parse(await readFile(join(modelsDir, 'licenses-accepted.json'), 'utf8')) as Record<
      string,
      { acceptedAt: string; acceptedBy: string; sha256: string }
    >;
    expect(record['strict-licence']).toMatchObject({ acceptedBy: userInfo().username, sha256: licence!.sha256 });
    expect(Date.parse(record['strict-licence']!.acceptedAt)).toBeGreaterThanOrEqual(before - 1000);

    expect(await dispatch('models:pull', { ids: ['licensed'] })).toEqual({
      ok: true,
      value: { started: ['licensed'] },
    });
    await expect.poll(() => progress.at(-1)?.state, { timeout: 10_000 }).toBe('done');
    const installed = await dispatch('models:installed', {});
    // The hub published its SHA-256, so the file is verified.
    expect(installed).toMatchObject({ ok: true, value: { models: [{ id: 'licensed', verification: 'verified' }] } });
  });

  it('reports a model whose files no published SHA-256 vouched for as unverified', async () => {
    hub.publishHashes = false;
    expect(await dispatch('models:pull', { ids: ['unhashed'] })).toMatchObject({ ok: true });
    await expect.poll(() => progress.filter((p) => p.modelId === 'unhashed').at(-1)?.state).toBe('done');
    const installed = await dispatch('models:installed', {});
    expect(installed).toMatchObject({
      ok: true,
      value: {
        models: [
          { id: 'licensed', verification: 'verified' },
          { id: 'unhashed', verification: 'unverified' },
        ],
      },
    });
  });
});
