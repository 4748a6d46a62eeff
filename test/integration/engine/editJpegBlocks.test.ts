/**
 * JPEG in, JPEG out: an edit keeps every 8×8 block it does not touch bit for bit (4:4:4 and gray decode exactly; the
 * coefficient-level checks of 4:2:0 and the rest are in test/unit/image/jpeg). sharp (libjpeg) is the oracle.
 */
import { join } from 'node:path';
import sharp, { type Sharp } from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { runEdit } from '../../../main/engine/pipeline';
import { readRecipe } from '../../../main/engine/recipe';
import { openImage } from '../../../main/image/decode';
import { exportEdit, keptJpegNote } from '../../../main/image/exportEdit';
import { createMask } from '../../../shared/image/types';
import { ensureFixtures } from '../../fixtures/models/all';
import { cacheDir } from '../../setup/global';

const photo = join(import.meta.dirname, '..', '..', 'fixtures', 'images', 'chelsea.png');
const rect = { x0: 160, y0: 96, x1: 240, y1: 160 };
let models: string;

beforeAll(() => {
  models = ensureFixtures();
});

async function editJpeg(source: Uint8Array) {
  const image = await openImage(source);
  const { width, height } = image.info;
  const mask = createMask(width, height);
  for (let y = rect.y0; y < rect.y1; y++) mask.data.fill(255, y * width + rect.x0, y * width + rect.x1);
  const result = await runEdit({
    image,
    mask,
    modelsDir: models,
    options: {
      prompt: 'a green cat',
      steps: 2,
      size: 256,
      provider: 'cpu',
      sd: 'sd15',
      controlnet: 'controlnet-canny',
    },
    hashCachePath: join(cacheDir, 'engine-hashes.json'),
  });
  const v = result.variations[0]!;
  return exportEdit(image, { ...v.stored, recipe: v.recipe }, { format: 'jpeg' });
}

/** Pixels that differ in 8×8 blocks lying wholly farther than `margin` from the edited rectangle. */
async function changedOutsideBlocks(
  a: Uint8Array,
  b: Uint8Array,
  margin: number,
): Promise<{ changed: number; blocks: number }> {
  const [x, y] = await Promise.all([a, b].map((bytes) => sharp(bytes).raw().toBuffer({ resolveWithObject: true })));
  const { width, height, channels } = x!.info;
  let changed = 0;
  let blocks = 0;
  for (let by = 0; by + 8 <= height; by += 8) {
    for (let bx = 0; bx + 8 <= width; bx += 8) {
      const near =
        bx + 8 > rect.x0 - margin && bx < rect.x1 + margin && by + 8 > rect.y0 - margin && by < rect.y1 + margin;
      if (near) continue;
      blocks++;
      for (let yy = by; yy < by + 8; yy++) {
        for (let i = (yy * width + bx) * channels; i < (yy * width + bx + 8) * channels; i++) {
          if (x!.data[i] !== y!.data[i]) changed++;
        }
      }
    }
  }
  return { changed, blocks };
}

describe('JPEG → JPEG export keeps the blocks the edit does not touch', () => {
  it.each([
    ['4:4:4 colour', (s: Sharp) => s.jpeg({ quality: 85, chromaSubsampling: '4:4:4' })],
    ['gray', (s: Sharp) => s.grayscale().jpeg({ quality: 80 })],
  ])(
    '%s: every untouched block decodes as the original did, and the export says how many were re-encoded',
    async (_, encode) => {
      const source = new Uint8Array(await encode(sharp(photo)).toBuffer());
      const { bytes, notes } = await editJpeg(source);
      // dilate 8 + feather 8 around the rectangle, then the 8-px block the blend reaches into.
      const outside = await changedOutsideBlocks(source, bytes, 24);
      expect(outside.blocks).toBeGreaterThan(1000);
      expect(outside.changed).toBe(0);
      const inside = await sharp(bytes).raw().toBuffer();
      const before = await sharp(source).raw().toBuffer();
      expect(inside.equals(before)).toBe(false);
      const note = notes.find((n) => n.startsWith('JPEG: '));
      expect(note).toMatch(/^JPEG: \d+ of \d+ blocks re-encoded with the original's tables/);
      const [reencoded, total] = note!.match(/\d+/g)!.map(Number);
      expect(reencoded).toBeGreaterThan(0);
      expect(reencoded! / total!).toBeLessThan(0.2);
      expect((await readRecipe(bytes)).output?.notes).toContain(keptJpegNote);
    },
  );

  it('re-encodes a JPEG whole when its source is not a JPEG, and says so', async () => {
    const png = new Uint8Array(await sharp(photo).png().toBuffer());
    const image = await openImage(png);
    const mask = createMask(image.info.width, image.info.height);
    mask.data.fill(255, 0, image.info.width * 4);
    const result = await runEdit({
      image,
      mask,
      modelsDir: models,
      options: { prompt: 'x', steps: 2, size: 256, provider: 'cpu', sd: 'sd15', controlnet: 'controlnet-canny' },
      hashCachePath: join(cacheDir, 'engine-hashes.json'),
    });
    const v = result.variations[0]!;
    const { notes } = await exportEdit(image, { ...v.stored, recipe: v.recipe }, { format: 'jpeg' });
    expect(notes).toContain('JPEG is lossy: the whole image is re-encoded');
  });
});
