import { mkdir, mkdtemp, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type ModelProgress, defaultSettings } from '../../../shared/api';
import { ModelService } from '../../../main/services/models';
import { cacheDir } from '../../setup/global';
import { HubServer, testBytes } from './hubServer';

let server: HubServer;
let work: string;

beforeEach(async () => {
  server = new HubServer();
  await server.start();
  await mkdir(join(cacheDir, 'models'), { recursive: true });
  work = await mkdtemp(join(cacheDir, 'models', 'service-'));
});

afterEach(async () => {
  await server.stop();
});

async function writeCatalog(): Promise<string> {
  const weights = server.host('org/tiny/weights.bin', testBytes(200_000, 41));
  const catalog = {
    licenses: [{ id: 'tiny-license', name: 'Tiny Licence', url: 'https://example.com/license', summary: 'Be nice.' }],
    models: [
      {
        id: 'tiny',
        title: 'Tiny test model',
        role: 'tokenizer',
        license: 'tiny-license',
        source: { repo: 'org/tiny', revision: 'main' },
        files: [
          {
            url: server.catalogUrl('org/tiny/weights.bin'),
            path: 'weights.bin',
            bytes: 200_000,
            sha256: weights.sha256,
          },
        ],
      },
    ],
    bundles: [],
  };
  const file = join(work, 'catalog.json');
  await writeFile(file, JSON.stringify(catalog));
  return file;
}

describe("the Models sheet's downloads (ModelService)", () => {
  it('a paused download reports the bytes it keeps, and deleting them frees that much', async () => {
    const modelsDir = join(work, 'models');
    const settings = { ...defaultSettings, modelsDir, catalogs: [await writeCatalog()] };
    const events: ModelProgress[] = [];
    const service = new ModelService(
      () => settings,
      (event) => events.push(event),
      () => undefined,
      { IIR_HUB_ENDPOINT: server.hubUrl },
    );
    const { licenses } = await service.licenses(['tiny']);
    await service.acceptLicenses(licenses.map((l) => ({ id: l.id, sha256: l.sha256 })));
    server.fault('org/tiny/weights.bin', { kind: 'hold', after: 80_000 });
    await service.pull(['tiny']);
    await server.whenHeld();
    const part = join(modelsDir, 'tiny', 'weights.bin.part');
    await expect.poll(async () => (await stat(part).catch(() => null))?.size, { timeout: 10_000 }).toBe(80_000);
    expect(service.pause('tiny')).toEqual({ wasActive: true });
    await expect.poll(() => events.at(-1)?.state, { timeout: 10_000 }).toBe('paused');
    expect(events.at(-1)!.bytesDone).toBeGreaterThanOrEqual(80_000);
    server.release();
    const usage = await service.diskUsage();
    expect(usage.models.find((m) => m.id === 'tiny')).toMatchObject({ partialBytes: 80_000, installed: false });
    const freed = await service.deletePartial('tiny');
    expect(freed.freedBytes).toBeGreaterThanOrEqual(80_000);
    expect(freed.remaining).toBe(0);
    expect((await service.diskUsage()).models.find((m) => m.id === 'tiny')).toBeUndefined();
  });
});
