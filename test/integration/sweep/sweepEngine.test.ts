/**
 * A sweep's cells are the edits they stand for: each cell's stored values equal a single edit with the cell's
 * parameters, byte for byte, while the work that does not depend on the cell ran once (counted by the sweep).
 */
import { join } from 'node:path';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import type { EditParamValues } from '../../../shared/api/editParams';
import { sweepCells } from '../../../shared/api/sweep';
import { createMask, type Mask } from '../../../shared/image/types';
import { EditEngine } from '../../../main/engine/editEngine';
import { runEdit, type EditOptions, type EditVariation } from '../../../main/engine/pipeline';
import { runSweep } from '../../../main/engine/sweep';
import { openImage, type ImageSource } from '../../../main/image/decode';
import { ensureFixtures } from '../../fixtures/models/all';
import { cacheDir } from '../../setup/global';

const width = 200;
const height = 136;
let models: string;
let bytes: Uint8Array;
const base: EditOptions = {
  prompt: 'a red cat',
  steps: 2,
  size: 256,
  provider: 'cpu',
  sd: 'sd15',
  controlnet: 'controlnet-iir',
};

function roi(): Mask {
  const mask = createMask(width, height);
  for (let y = 40; y < 96; y++) mask.data.fill(255, y * width + 60, y * width + 140);
  return mask;
}

async function sweep(cells: Partial<EditParamValues>[], options: EditOptions = base) {
  const source: ImageSource = await openImage(bytes);
  const results: EditVariation[] = [];
  const engine = new EditEngine();
  try {
    const summary = await runSweep(engine, {
      image: source,
      mask: roi(),
      modelsDir: models,
      options,
      cells,
      hashCachePath: join(cacheDir, 'engine-hashes.json'),
      onCell: (i, v) => void (results[i] = v),
    });
    return { summary, results };
  } finally {
    await engine.dispose();
  }
}

async function single(options: EditOptions): Promise<EditVariation> {
  const result = await runEdit({
    image: await openImage(bytes),
    mask: roi(),
    modelsDir: models,
    options,
    hashCachePath: join(cacheDir, 'engine-hashes.json'),
  });
  return result.variations[0]!;
}

beforeAll(async () => {
  models = ensureFixtures();
  bytes = new Uint8Array(
    await sharp(join(import.meta.dirname, '..', '..', 'fixtures', 'images', 'chelsea.png'))
      .resize(width, height, { fit: 'fill' })
      .png()
      .toBuffer(),
  );
});

describe('sweeps share the seed-independent work', () => {
  it('σ × seed: one frame, one text; every cell equals its single edit', async () => {
    const cells = sweepCells([
      { key: 'noise', values: [0.1, 0.6] },
      { key: 'seed', values: [3, 4] },
    ]);
    const { summary, results } = await sweep(cells);
    expect(results).toHaveLength(4);
    expect(summary.shared).toEqual({ frames: 1, originals: 1, texts: 1 });
    for (const i of [0, 3]) {
      const alone = await single({ ...base, ...cells[i] });
      expect(results[i]!.seed).toBe(cells[i]!.seed);
      expect(Buffer.from(results[i]!.stored.image.data).equals(Buffer.from(alone.stored.image.data)), `cell ${i}`).toBe(
        true,
      );
      expect(results[i]!.recipe).toEqual(alone.recipe);
    }
    expect(Buffer.from(results[0]!.stored.image.data).equals(Buffer.from(results[3]!.stored.image.data))).toBe(false);
  });

  it('guidance × size: a frame per size, a text per guidance mode, the blend re-grown; cells still equal', async () => {
    const cells = sweepCells([
      { key: 'guidance', values: [1, 7.5] },
      { key: 'size', values: [256, 320] },
    ]);
    const { summary, results } = await sweep(cells, { ...base, featherPx: 4 });
    expect(summary.shared).toEqual({ frames: 2, originals: 2, texts: 2 });
    const alone = await single({ ...base, featherPx: 4, ...cells[1] });
    expect(Buffer.from(results[1]!.stored.image.data).equals(Buffer.from(alone.stored.image.data))).toBe(true);
    const blend = sweepCells([{ key: 'featherPx', values: [0, 24] }]);
    const grown = await sweep(blend);
    expect(grown.summary.shared.frames).toBe(1);
    const wide = await single({ ...base, featherPx: 24 });
    expect(Buffer.from(grown.results[1]!.stored.image.data).equals(Buffer.from(wide.stored.image.data))).toBe(true);
  });

  it('a cell the engine would refuse fails before any model runs, naming the cell', async () => {
    const cells = sweepCells([{ key: 'cannyLow', values: [100, 300] }]);
    await expect(sweep(cells)).rejects.toThrow(/^cell 2: the Canny low threshold must not exceed the high one$/);
  });
});
