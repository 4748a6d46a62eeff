/**
 * `iir sweep`: the contact sheet, every cell with its recipe and the index; one-line errors for bad axes; nothing
 * replaced without --force; Ctrl-C leaves only complete cells and no sheet.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { readRecipe } from '../../../main/engine/recipe';
import { runIirHere } from '../../helpers/cli';
import { ensureFixtures } from '../../fixtures/models/all';

let models: string;
let dir: string;
let photo: string;
let mask: string;

beforeAll(async () => {
  models = ensureFixtures();
  dir = mkdtempSync(join(tmpdir(), 'iir-sweep-'));
  photo = join(dir, 'cat.png');
  mask = join(dir, 'mask.png');
  await sharp(join(import.meta.dirname, '..', '..', 'fixtures', 'images', 'chelsea.png'))
    .resize(180, 120, { fit: 'fill' })
    .toFile(photo);
  const m = Buffer.alloc(180 * 120);
  for (let y = 30; y < 90; y++) m.fill(255, y * 180 + 50, y * 180 + 130);
  await sharp(m, { raw: { width: 180, height: 120, channels: 1 } })
    .png()
    .toFile(mask);
});

const common = (): string[] => [
  photo,
  '--mask',
  mask,
  '--prompt',
  'a red cat',
  '--steps',
  '2',
  '--size',
  '256',
  '--provider',
  'cpu',
  '--sd',
  'sd15',
  '--controlnet',
  'controlnet-iir',
  '--models',
  models,
];

describe('iir sweep', () => {
  it('writes the labelled sheet, each cell with its recipe, and the index', async () => {
    const out = join(dir, 'grid.png');
    const args = [...common(), '--axis', 'noise=0.1,0.6', '--axis', 'seed=1..2', '--out', out, '--json'];
    const run = await runIirHere(['sweep', ...args]);
    expect(run.stderr).not.toMatch(/error/i);
    expect(run.code).toBe(0);
    const printed = JSON.parse(run.stdout.trim()) as {
      cells: { path: string; params: { noise: number }; seed: number }[];
    };
    expect(printed.cells.map((c) => c.params)).toEqual([
      { noise: 0.1, seed: 1 },
      { noise: 0.1, seed: 2 },
      { noise: 0.6, seed: 1 },
      { noise: 0.6, seed: 2 },
    ]);
    for (const cell of printed.cells) {
      expect(cell.path).toBe(join(dir, `grid-noise${cell.params.noise}-seed${cell.seed}.png`));
      const recipe = await readRecipe(readFileSync(cell.path));
      expect(recipe.seed).toBe(cell.seed);
      expect(recipe.params.noise).toBe(cell.params.noise);
    }
    const index = JSON.parse(readFileSync(join(dir, 'grid.json'), 'utf8')) as { shared: object; cells: unknown[] };
    expect(index.shared).toEqual({ frames: 1, originals: 1, texts: 1 });
    expect(index.cells).toHaveLength(4);
    const sheet = await sharp(out).metadata();
    expect(sheet.format).toBe('png');
    expect(sheet.width).toBeGreaterThan(2 * 256);
    expect(sheet.height).toBeGreaterThan(2 * 100);

    const again = await runIirHere(['sweep', ...args]);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain(`${out} already exists; pass --force to replace it`);
  });

  it.each([
    [['--axis', 'noise=0.1,1.5'], '--axis noise=0.1,1.5: noise must be a number from 0 to 1, got 1.5'],
    [['--axis', 'variations=1,2'], '--axis variations=1,2: "variations" is not a parameter a sweep can vary'],
    [['--axis', 'seed=1..2', '--axis', 'seed=3..4'], 'both axes vary seed'],
    [['--axis', 'noise=0.1', '--axis', 'seed=1', '--axis', 'steps=2'], 'a sweep has one or two axes'],
    [[], 'give one or two axes'],
  ])('refuses %j in one line', async (axis, message) => {
    const run = await runIirHere(['sweep', ...common(), ...axis, '--out', join(dir, 'bad.png')]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(message);
    expect(
      run.stderr
        .trim()
        .split('\n')
        .filter((l) => !/XDG|Vulkan|InitializeImpl|^\s*$/.test(l)),
    ).toHaveLength(1);
    expect(existsSync(join(dir, 'bad.png'))).toBe(false);
  });

  it('Ctrl-C: the cells finished so far are complete, no sheet, no temporary file', async () => {
    const out = join(dir, 'cut', 'grid.png');
    const controller = new AbortController();
    const cut = join(dir, 'cut');
    mkdirSync(cut);
    const watcher = setInterval(() => {
      if (readdirSync(cut).some((name) => name.endsWith('.png'))) controller.abort();
    }, 20);
    const run = await runIirHere(['sweep', ...common(), '--axis', 'seed=1..6', '--out', out], {
      signal: controller.signal,
    });
    clearInterval(watcher);
    expect(run.code).toBe(130);
    const left = readdirSync(cut);
    expect(left).not.toContain('grid.png');
    expect(left.length).toBeGreaterThan(0);
    expect(left.length).toBeLessThan(6);
    for (const name of left) {
      expect(name).toMatch(/^grid-seed\d\.png$/);
      await expect(readRecipe(readFileSync(join(cut, name)))).resolves.toBeDefined();
    }
  });
});
