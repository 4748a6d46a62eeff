/**
 * Warm-up: sessions created when a document opens are the ones the edit then uses (it creates none); a low-memory
 * plan loads nothing ahead.
 */
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { EditEngine, type EditOptions } from '../../../main/engine/pipeline';
import { createMask } from '../../../shared/image/types';
import { ensureFixtures } from '../../fixtures/models/all';

const chelsea = join(import.meta.dirname, '..', '..', 'fixtures', 'images', 'chelsea.png');
const engine = new EditEngine();

afterEach(() => engine.dispose());

function options(extra: Partial<EditOptions> = {}): EditOptions {
  return {
    prompt: 'a green cat',
    steps: 2,
    size: 256,
    provider: 'cpu',
    sd: 'sd15',
    controlnet: 'controlnet-canny',
    ...extra,
  };
}

describe('warm-up', () => {
  it('loads the sessions the edit then uses: Generate creates none', async () => {
    const modelsDir = ensureFixtures();
    const warm = await engine.warmUp({ modelsDir, options: options() }, { width: 451, height: 300 });
    expect(warm.loaded.sort()).toEqual(['controlnet', 'text_encoder', 'unet', 'vae_decoder', 'vae_encoder']);
    const mask = createMask(451, 300);
    for (let y = 90; y < 210; y++) mask.data.fill(255, y * 451 + 150, y * 451 + 300);
    const result = await engine.edit({ image: chelsea, mask, modelsDir, options: options() });
    expect(result.sessionLoads).toEqual([]);
    expect(result.memory.stageByStage).toBe(false);
  });

  it('loads nothing ahead in low-memory mode', async () => {
    const modelsDir = ensureFixtures();
    const warm = await engine.warmUp({ modelsDir, options: options({ lowMemory: true }) }, { width: 451, height: 300 });
    expect(warm.loaded).toEqual([]);
    expect(warm.memory.stageByStage).toBe(true);
    expect(engine.loadedRoles()).toEqual([]);
  });
});
