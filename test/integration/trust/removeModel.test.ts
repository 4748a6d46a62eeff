import { existsSync } from 'node:fs';
import { cp, mkdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { modelsCommand } from '../../../main/cli/commands/models';
import { runCli } from '../../../main/cli/runner';
import type { AppServices } from '../../../main/services/app';
import { FIXTURE_FOLDERS, ensureFixtures } from '../../fixtures/models/all';
import { writeFixtureReceipt } from '../../fixtures/models/receipt';
import { scratch, snapshot, startApp } from './helpers';

let services: AppServices;
let home: string;

/** A scratch home: the user's documents, a stray model.json, a real install, an interrupted download. */
async function makeHome(): Promise<string> {
  const dir = scratch('trust-home');
  await mkdir(join(dir, 'projects', 'thesis'), { recursive: true });
  await writeFile(join(dir, 'projects', 'thesis', 'chapter1.tex'), 'my only copy\n');
  await mkdir(join(dir, 'photos'));
  await writeFile(join(dir, 'photos', 'wedding.jpg'), Buffer.alloc(2048, 7));
  await mkdir(join(dir, 'webapp'));
  await writeFile(join(dir, 'webapp', 'model.json'), '{"name":"my web app model"}\n');
  await writeFile(join(dir, 'webapp', 'index.js'), 'console.log(1)\n');
  await mkdir(join(dir, 'renamed'));
  await writeFile(join(dir, 'renamed', 'weights.bin'), Buffer.alloc(10));
  writeFixtureReceipt(join(dir, 'renamed'), 'another-id', 'Another', 'tokenizer');
  await symlink(join(dir, 'photos'), join(dir, 'linked-photos'));
  await mkdir(join(dir, 'tiny'));
  await writeFile(join(dir, 'tiny', 'vocab.json'), Buffer.alloc(3000, 1));
  writeFixtureReceipt(join(dir, 'tiny'), 'tiny', 'Tiny', 'tokenizer');
  await mkdir(join(dir, 'half', 'unet'), { recursive: true });
  await writeFile(join(dir, 'half', 'unet', 'model.onnx.part'), Buffer.alloc(500));
  await writeFile(join(dir, 'half', '.pull-state.json'), '{"files":{}}');
  await writeFile(join(dir, 'half', 'unet', 'model.onnx.part.json.tmp'), '{}');
  await writeFile(join(dir, 'half', '..pull-state.json.4242.0a1b2c3d4e5f.tmp'), '{}');
  await mkdir(join(dir, 'notes'));
  await writeFile(join(dir, 'notes', 'draft.part'), 'part one of my essay');
  await writeFile(join(dir, 'notes', 'draft.txt'), 'my essay');
  return dir;
}

beforeAll(async () => {
  services = await startApp();
  home = await makeHome();
});

afterAll(async () => {
  await services.dispose();
});

const remove = (id: string) => services.router.dispatch('models:remove', { id }, { transport: 'websocket' });

describe('models:remove deletes only what this app installed', () => {
  it('changing the models folder to a home folder moves and deletes nothing', async () => {
    const before = snapshot(home);
    const set = await services.router.dispatch('settings:set', { modelsDir: home }, { transport: 'websocket' });
    expect(set.ok).toBe(true);
    expect(services.models.modelsDir()).toBe(home);
    expect(snapshot(home)).toEqual(before);
  });

  it.each([
    ['projects', /refusing to remove .*projects: it holds no IIR Studio install receipt/],
    ['photos', /refusing to remove .*photos: it holds no IIR Studio install receipt/],
    ['notes', /refusing to remove .*notes: it holds no IIR Studio install receipt/],
    ['webapp', /refusing to remove .*webapp: its model\.json is not an IIR Studio install receipt/],
    ['renamed', /refusing to remove .*renamed: its receipt is for "another-id"/],
    ['linked-photos', /refusing to remove .*linked-photos: it is not a model folder/],
  ])('refuses %s by name, in one line, and leaves it whole', async (id, message) => {
    const before = snapshot(home);
    const envelope = await remove(id);
    expect(envelope).toMatchObject({ ok: false, error: { code: 'invalid_argument', message } });
    if (!envelope.ok) expect(envelope.error.message).not.toContain('\n');
    expect(snapshot(home)).toEqual(before);
  });

  it('removes an installed model and an interrupted download, and nothing else', async () => {
    const before = snapshot(home);
    expect(await remove('tiny')).toEqual({ ok: true, value: { removed: true } });
    expect(await remove('half')).toEqual({ ok: true, value: { removed: true } });
    const after = snapshot(home);
    const gone = Object.keys(before).filter((path) => !(path in after));
    expect(gone.every((path) => path.startsWith('tiny') || path.startsWith('half'))).toBe(true);
    expect(existsSync(join(home, 'tiny'))).toBe(false);
    expect(existsSync(join(home, 'half'))).toBe(false);
    expect(existsSync(join(home, 'projects', 'thesis', 'chapter1.tex'))).toBe(true);
  });

  it('iir models rm refuses a folder without a receipt, exits non-zero and deletes nothing', async () => {
    const before = snapshot(home);
    let stderr = '';
    const code = await runCli(['models', 'rm', 'photos', '--models', home], [modelsCommand], {
      stdout: { write: () => true },
      stderr: { write: (text: string) => (stderr += text) },
      env: { IIR_USER_DATA: scratch('trust-cli-user') },
      signal: new AbortController().signal,
    });
    expect(code).not.toBe(0);
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr).toMatch(/refusing to remove .*photos: it holds no IIR Studio install receipt/);
    expect(snapshot(home)).toEqual(before);
  });

  it('a page cannot move a folder of the user’s into the models folder (to remove it after)', async () => {
    const source = scratch('trust-own-model');
    await cp(join(ensureFixtures(), FIXTURE_FOLDERS.controlnetIir), source, { recursive: true });
    const before = snapshot(source);
    const request = { path: source, id: 'taken', mode: 'move' };
    expect(await services.router.dispatch('models:import', request, { transport: 'websocket' })).toMatchObject({
      ok: false,
      error: { code: 'invalid_argument', message: /^mode: / },
    });
    expect(snapshot(source)).toEqual(before);
    expect(existsSync(join(home, 'taken'))).toBe(false);
  });
});
