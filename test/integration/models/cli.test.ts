import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { modelsCommand } from '../../../main/cli/commands/models';
import { runCli } from '../../../main/cli/runner';
import { FIXTURE_FOLDERS, ensureFixtures } from '../../fixtures/models/all';
import { cacheDir } from '../../setup/global';
import { HubServer, testBytes } from './hubServer';

let server: HubServer;
let work: string;
let fixtures: string;

beforeAll(() => {
  fixtures = ensureFixtures();
});

beforeEach(async () => {
  server = new HubServer();
  await server.start();
  await mkdir(join(cacheDir, 'models'), { recursive: true });
  work = await mkdtemp(join(cacheDir, 'models', 'cli-'));
});

afterEach(async () => {
  await server.stop();
});

async function run(args: string[], signal = new AbortController().signal) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(['models', ...args], [modelsCommand], {
    stdout: { write: (t: string) => (stdout += t) },
    stderr: { write: (t: string) => (stderr += t) },
    env: { IIR_USER_DATA: join(work, 'user'), IIR_HUB_ENDPOINT: server.hubUrl },
    signal,
  });
  return { code, stdout, stderr };
}

async function writeCatalog(): Promise<string> {
  const weights = server.host('org/tiny/weights.bin', testBytes(200_000, 31));
  const config = server.host('org/tiny/config.json', Buffer.from('{"model_type":"tiny"}'));
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
          { url: server.catalogUrl('org/tiny/config.json'), path: 'config.json', bytes: null, sha256: null },
        ],
      },
    ],
    bundles: [{ id: 'tiny-bundle', title: 'Tiny bundle', models: ['tiny'] }],
  };
  const file = join(work, 'catalog.json');
  await writeFile(file, JSON.stringify(catalog));
  expect(config.content.length).toBeGreaterThan(0);
  return file;
}

describe('iir models', () => {
  it('path prints the models folder: --models first, then the user-data default', async () => {
    expect((await run(['path', '--models', join(work, 'm')])).stdout).toBe(`${join(work, 'm')}\n`);
    expect((await run(['path'])).stdout).toBe(`${join(work, 'user', 'models')}\n`);
  });

  it('catalog lists the built-in models, the starter bundle and a user catalog', async () => {
    const catalog = await writeCatalog();
    const { code, stdout } = await run(['catalog', '--catalog', catalog, '--json', '--models', join(work, 'm')]);
    expect(code).toBe(0);
    const parsed = JSON.parse(stdout) as { models: { id: string }[]; bundles: { id: string; bytes: number }[] };
    expect(parsed.models.map((m) => m.id)).toContain('sd15-fp16');
    expect(parsed.models.map((m) => m.id)).toContain('tiny');
    expect(parsed.bundles.find((b) => b.id === 'starter')?.bytes).toBeGreaterThan(5e9);

    // A catalog by URL (http is allowed on loopback only).
    server.host('org/catalogs/extra.json', await readFile(catalog));
    const byUrl = `${server.storageUrl}/blob/${encodeURIComponent('org/catalogs/extra.json')}`;
    const remote = await run(['catalog', '--catalog', byUrl, '--json', '--models', join(work, 'm')]);
    expect(remote.code).toBe(0);
    expect((JSON.parse(remote.stdout) as { models: { id: string }[] }).models.map((m) => m.id)).toContain('tiny');
    const broken = await run(['catalog', '--catalog', `${server.storageUrl}/blob/nothing.json`, '--models', work]);
    expect(broken.stderr).toMatch(/nothing\.json: HTTP 404/);
  });

  it('pull asks for the licence (refused without a terminal), then downloads, resumes after Ctrl-C, verifies', async () => {
    const catalog = await writeCatalog();
    const models = join(work, 'm');
    const refused = await run(['pull', 'tiny-bundle', '--catalog', catalog, '--models', models]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(
      /need the licence\(s\) Tiny Licence \(https:\/\/example\.com\/license\).*--accept-license/,
    );
    expect(server.log).toHaveLength(0);

    server.fault('org/tiny/weights.bin', { kind: 'hold', after: 80_000 });
    const controller = new AbortController();
    const paused = run(
      ['pull', 'tiny', '--catalog', catalog, '--models', models, '--accept-license'],
      controller.signal,
    );
    await server.whenHeld();
    // Wait until the held bytes are on disk, then press "Ctrl-C".
    const part = join(models, 'tiny', 'weights.bin.part');
    await new Promise<void>((resolve) => {
      const check = (): void => {
        void stat(part)
          .then((s) => (s.size === 80_000 ? resolve() : setImmediate(check)))
          .catch(() => setImmediate(check));
      };
      check();
    });
    controller.abort();
    const first = await paused;
    expect(first.code).toBe(130);
    expect(first.stderr).toMatch(/tiny: paused; the partial download is kept/);
    expect((await stat(part)).size).toBe(80_000);
    const accepted = JSON.parse(await readFile(join(models, 'licenses-accepted.json'), 'utf8')) as Record<
      string,
      unknown
    >;
    expect(Object.keys(accepted)).toEqual(['tiny-license']);

    server.release();
    const second = await run(['pull', 'tiny', '--catalog', catalog, '--models', models, '--json']);
    expect(second.code).toBe(0);
    expect(JSON.parse(second.stdout)).toEqual({
      modelsDir: models,
      pulled: [{ id: 'tiny', role: 'tokenizer', bytes: 200_000 + 21, files: 2, verification: 'verified' }],
    });
    expect(server.requests('storage', 'org/tiny/weights.bin').at(-1)?.range).toBe('bytes=80000-');
    expect((await readFile(join(models, 'tiny', 'weights.bin'))).equals(testBytes(200_000, 31))).toBe(true);

    const again = await run(['pull', 'tiny', '--catalog', catalog, '--models', models]);
    expect(again.stderr).toMatch(/tiny: already installed/);
    const verify = await run(['verify', '--models', models]);
    expect(verify).toMatchObject({ code: 0, stdout: 'tiny: ok\n' });
  });

  it('import, list, verify a damaged file, rm', async () => {
    const models = join(work, 'm');
    const source = join(fixtures, FIXTURE_FOLDERS.controlnetIir);
    const missingAs = await run(['import', source, '--models', models]);
    expect(missingAs).toMatchObject({ code: 1 });
    expect(missingAs.stderr).toMatch(/import needs --as <id>/);
    const imported = await run(['import', source, '--as', 'iir', '--models', models, '--json']);
    expect(imported.code).toBe(0);
    expect(JSON.parse(imported.stdout)).toMatchObject({ id: 'iir', role: 'controlnet-iir', location: null });

    const wrongRole = await run(['import', source, '--as', 'iir2', '--role', 'controlnet-canny', '--models', models]);
    expect(wrongRole.code).toBe(1);
    expect(wrongRole.stderr).toMatch(/input "controlnet_cond" dim 1: expected 3, found 4/);

    const list = JSON.parse((await run(['list', '--json', '--models', models])).stdout) as {
      installed: { id: string; role: string }[];
      totalBytes: number;
    };
    expect(list.installed.map((m) => [m.id, m.role])).toEqual([['iir', 'controlnet-iir']]);
    expect(list.totalBytes).toBeGreaterThan(0);

    await writeFile(join(models, 'iir', 'model.onnx'), 'damaged');
    const verify = await run(['verify', 'iir', '--models', models]);
    expect(verify.code).toBe(1);
    expect(verify.stdout).toMatch(/iir: FAILED\n {2}model\.onnx: size 7, expected \d+/);
    expect(verify.stderr).toMatch(/iir failed verification/);

    expect((await run(['rm', 'iir', '--models', models])).code).toBe(0);
    expect(existsSync(join(models, 'iir'))).toBe(false);
    const unknown = await run(['frobnicate', '--models', models]);
    expect(unknown.stderr).toMatch(/unknown models action "frobnicate"/);
  });
});
