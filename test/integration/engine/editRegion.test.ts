import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { decodeImage } from '../../../main/image/decode';
import { ensureFixtures } from '../../fixtures/models/all';
import { cacheDir } from '../../setup/global';
import { loadPhoto, paint, pureRed } from '../segmentation/helpers';
import { runIirHere, type CliRun } from '../../helpers/cli';

const work = join(cacheDir, 'cli-edit-region');
let models: string;
let photoPath: string;
let original: Uint8Array;

/** The red square the fixture GroundingDINO finds for "red" (x1/y1 exclusive). */
const redRect = { x0: 60, y0: 60, x1: 140, y1: 130 };
/** A painted mask rectangle elsewhere, for the union with --mask. */
const paintedRect = { x0: 300, y0: 170, x1: 380, y1: 240 };
/** --dilate 4 + --feather 4 around each rectangle: pixels beyond this margin must be untouched. */
const margin = 10;

const iir = (...args: string[]): Promise<CliRun> =>
  runIirHere(args, { env: { ...process.env, IIR_USER_DATA: join(work, 'user-data') } });

const editArgs = (out: string): string[] => [
  'edit',
  photoPath,
  '--prompt',
  'a blue box',
  '--models',
  models,
  '--grounding',
  'grounding-dino',
  '--sam',
  'sam',
  '--sd',
  'sd15',
  '--controlnet',
  'controlnet-canny',
  '--steps',
  '2',
  '--size',
  '256',
  '--dilate',
  '4',
  '--feather',
  '4',
  '--provider',
  'cpu',
  '--out',
  out,
];

const near = (rect: typeof redRect, x: number, y: number): boolean =>
  x >= rect.x0 - margin && x < rect.x1 + margin && y >= rect.y0 - margin && y < rect.y1 + margin;

/** Counts changed pixels inside `rect` and outside every rectangle of `allowed` (plus the margin). */
function changes(result: Uint8Array, width: number, rect: typeof redRect, allowed: (typeof redRect)[]) {
  let inside = 0;
  let outside = 0;
  for (let i = 0; i < result.length; i += 3) {
    const x = (i / 3) % width;
    const y = Math.floor(i / 3 / width);
    const differs = result[i] !== original[i] || result[i + 1] !== original[i + 1] || result[i + 2] !== original[i + 2];
    if (!differs) continue;
    if (x >= rect.x0 && x < rect.x1 && y >= rect.y0 && y < rect.y1) inside++;
    if (!allowed.some((r) => near(r, x, y))) outside++;
  }
  return { inside, outside };
}

beforeAll(async () => {
  models = ensureFixtures();
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  const photo = paint(await loadPhoto('chelsea'), [{ rect: redRect, rgb: pureRed }]);
  original = photo.data;
  photoPath = join(work, 'chelsea-red.png');
  await sharp(photo.data, { raw: { width: photo.width, height: photo.height, channels: 3 } })
    .png()
    .toFile(photoPath);
});

describe('iir edit --region', () => {
  it('finds the region from text and edits only there', async () => {
    const out = join(work, 'region.png');
    const run = await iir(...editArgs(out), '--region', 'red');
    expect(run.stderr).not.toMatch(/error/);
    expect(run.code).toBe(0);
    const result = await decodeImage(out);
    const counts = changes(result.rgb.data, result.width, redRect, [redRect]);
    expect(counts.inside).toBeGreaterThan(((redRect.x1 - redRect.x0) * (redRect.y1 - redRect.y0)) / 2);
    expect(counts.outside).toBe(0);
  });

  it('unites the found region with --mask', async () => {
    const maskPath = join(work, 'painted.png');
    const mask = Buffer.alloc(451 * 300);
    for (let y = paintedRect.y0; y < paintedRect.y1; y++)
      mask.fill(255, y * 451 + paintedRect.x0, y * 451 + paintedRect.x1);
    await sharp(mask, { raw: { width: 451, height: 300, channels: 1 } })
      .png()
      .toFile(maskPath);
    const out = join(work, 'union.png');
    const run = await iir(...editArgs(out), '--region', 'red', '--mask', maskPath);
    expect(run.code).toBe(0);
    const result = await decodeImage(out);
    const both = [redRect, paintedRect];
    expect(changes(result.rgb.data, result.width, redRect, both).inside).toBeGreaterThan(1000);
    expect(changes(result.rgb.data, result.width, paintedRect, both).inside).toBeGreaterThan(1000);
    expect(changes(result.rgb.data, result.width, redRect, both).outside).toBe(0);
  });

  it('refuses with one line when the text finds nothing and there is no mask', async () => {
    const out = join(work, 'nothing.png');
    const run = await iir(...editArgs(out), '--region', 'cat');
    expect(run.code).toBe(1);
    expect(run.stderr.trim()).toBe('iir: no region found for "cat" (best score 0.12 < 0.35): nothing to edit');
  });

  it('needs --mask or --region', async () => {
    const run = await iir(...editArgs(join(work, 'none.png')));
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/--mask <png>, --region <text>, or both/);
  });
});
