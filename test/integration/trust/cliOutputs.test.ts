import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runIirHere } from '../../helpers/cli';
import { photoPath } from '../shell/helpers';
import { scratch } from './helpers';

const mine = 'the user’s own file';

/** One line on stderr, naming the file and the way out. */
function expectRefused(run: { code: number | null; stderr: string }, path: string): void {
  expect(run.code).not.toBe(0);
  expect(run.stderr.trim().split('\n')).toHaveLength(1);
  expect(run.stderr).toContain(`${path} already exists; pass --force to replace it`);
}

describe('CLI commands never overwrite without --force', () => {
  it('preprocess refuses an existing output before doing any work, and replaces it with --force', async () => {
    const dir = scratch('trust-cli');
    writeFileSync(join(dir, 'mask.png'), mine);
    const args = ['preprocess', photoPath('chelsea'), '--out-dir', dir];
    expectRefused(await runIirHere(args), join(dir, 'mask.png'));
    expect(readdirSync(dir)).toEqual(['mask.png']);
    expect(readFileSync(join(dir, 'mask.png'), 'utf8')).toBe(mine);

    expect((await runIirHere([...args, '--force'])).code).toBe(0);
    expect(readFileSync(join(dir, 'mask.png')).subarray(1, 4).toString()).toBe('PNG');
    expect(readdirSync(dir).sort()).toEqual(['canny.png', 'control.png', 'iir.png', 'mask.png', 'working.png']);
  });

  it('segment and edit refuse an existing output before loading any model', async () => {
    const dir = scratch('trust-cli');
    const env = { IIR_USER_DATA: dir, IIR_MODELS_DIR: join(dir, 'no-models') };
    const out = join(dir, 'cat.png');
    writeFileSync(out, mine);
    expectRefused(await runIirHere(['segment', photoPath('chelsea'), '--region', 'cat', '--out', out], { env }), out);
    const edit = ['edit', photoPath('chelsea'), '--region', 'cat', '--prompt', 'a tiger'];
    expectRefused(await runIirHere([...edit, '--out', out], { env }), out);
    // With variations, each output is `<name>-<seed>`: the second one exists here.
    const second = join(dir, 'tiger-8.png');
    writeFileSync(second, mine);
    const variations = [...edit, '--seed', '7', '--variations', '3', '--out', join(dir, 'tiger.png')];
    expectRefused(await runIirHere(variations, { env }), second);
    expect(readFileSync(out, 'utf8')).toBe(mine);
    expect(readFileSync(second, 'utf8')).toBe(mine);
  });

  it('edit refuses an output name whose extension is not an image format', async () => {
    const dir = scratch('trust-cli');
    const run = await runIirHere([
      'edit',
      photoPath('chelsea'),
      '--region',
      'cat',
      '--prompt',
      'x',
      '--out',
      join(dir, '.bashrc'),
    ]);
    expect(run.code).not.toBe(0);
    expect(run.stderr).toMatch(/cannot tell the format of \.bashrc: use a \.png, \.jpg, \.webp or \.tif name/);
    expect(readdirSync(dir)).toEqual([]);
  });
});
