import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { type EditOptions, type EditResult, runEdit } from '../../../main/engine/pipeline';
import { createMask, type Mask } from '../../../shared/image/types';
import { ensureFixtures } from '../../fixtures/models/all';
import { cacheDir } from '../../setup/global';

const chelsea = join(import.meta.dirname, '..', '..', 'fixtures', 'images', 'chelsea.png');
let models: string;

function roi(): Mask {
  const mask = createMask(451, 300);
  for (let y = 90; y < 210; y++) mask.data.fill(255, y * 451 + 150, y * 451 + 300);
  return mask;
}

function edit(options: EditOptions): Promise<EditResult> {
  return runEdit({
    image: chelsea,
    mask: roi(),
    modelsDir: models,
    options,
    hashCachePath: join(cacheDir, 'engine-hashes.json'),
  });
}

describe('regenerate from a recipe', () => {
  beforeAll(() => {
    models = ensureFixtures();
  });

  // The editor saves each variation's recipe as its own seed with one variation (editStore.absorb); running that
  // recipe again on the same provider must give the variation's pixels byte for byte.
  it('gives the same bytes on CPU as the variation it was saved from', async () => {
    const base: EditOptions = { prompt: 'a green cat', steps: 3, size: 256, provider: 'cpu', sd: 'sd15', noise: 0.4 };
    const first = await edit({ ...base, seed: 77, variations: 2 });
    const again = await edit({ ...base, seed: 78, variations: 1 });
    expect(first.variations[1]!.seed).toBe(78);
    const saved = first.variations[1]!.rgb.data;
    const regenerated = again.variations[0]!.rgb.data;
    expect(Buffer.from(regenerated).equals(Buffer.from(saved))).toBe(true);
    expect(Buffer.from(first.variations[0]!.rgb.data).equals(Buffer.from(saved))).toBe(false);
  });
});
