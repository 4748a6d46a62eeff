/**
 * What main plans before Generate: the default settings when the machine can give them what they need, low-memory
 * settings picked automatically when it cannot (with the two figures that decided it), or because the user chose
 * them.
 */
import { describe, expect, it } from 'vitest';
import { adviseMemory } from '../../../main/engine/memoryAdvice';
import { lowMemoryBudget, planMemory } from '../../../main/engine/memoryPlan';

const GiB = 2 ** 30;
/** The real-scale SD1.5 set's files (fp32, external data), bytes. */
const sd15 = {
  text_encoder: 492_313_396,
  unet: 3_438_320_522,
  controlnet: 1_445_228_323,
  vae_encoder: 136_721_014,
  vae_decoder: 197_999_124,
};
const at512 = { weights: sd15, width: 512, height: 512, cfg: true };

describe('adviseMemory', () => {
  it('a roomy machine runs the default settings, as planMemory plans them for 8 GiB', () => {
    const advice = adviseMemory({ ...at512, lowMemory: false, available: 20 * GiB });
    expect(advice.lowMemory).toBe('off');
    expect(advice.plan.stageByStage).toBe(false);
    expect(advice.plan).toEqual(planMemory({ ...at512, lowMemory: false, available: 20 * GiB }));
    expect(advice.defaultPeak).toBe(advice.plan.estimate);
  });

  it('a machine short of what the default settings need gets low-memory settings, automatically', () => {
    const advice = adviseMemory({ ...at512, lowMemory: false, available: 5 * GiB });
    expect(advice.lowMemory).toBe('auto');
    expect(advice.plan.stageByStage).toBe(true);
    expect(advice.plan.cpuArena).toBe(false);
    expect(advice.plan.budget).toBe(5 * GiB);
    // the figure the panel compares the machine with: what the default settings need
    expect(advice.defaultPeak).toBeGreaterThan(5 * GiB);
    expect(advice.plan.estimate).toBeLessThan(advice.defaultPeak);
  });

  it('less than 8 GiB free, but what the default settings need: no low-memory mode', () => {
    const roomy = planMemory({ ...at512, lowMemory: false });
    expect(roomy.estimate).toBeLessThan(8 * GiB);
    const advice = adviseMemory({ ...at512, lowMemory: false, available: roomy.estimate });
    expect(advice.lowMemory).toBe('off');
    expect(advice.plan.stageByStage).toBe(false);
    expect(advice.plan.estimate).toBe(roomy.estimate);
  });

  it('the user can force low-memory mode on a roomy machine', () => {
    const advice = adviseMemory({ ...at512, lowMemory: true, available: 64 * GiB });
    expect(advice.lowMemory).toBe('chosen');
    expect(advice.plan.stageByStage).toBe(true);
    expect(advice.plan.budget).toBe(lowMemoryBudget);
  });

  it('a working size that needs stage by stage even with room is not blamed on the machine', () => {
    const big = { ...at512, width: 1024, height: 1024 };
    const roomy = planMemory({ ...big, lowMemory: false });
    expect(roomy.stageByStage).toBe(true);
    const advice = adviseMemory({ ...big, lowMemory: false, available: 64 * GiB });
    expect(advice.lowMemory).toBe('off');
    expect(advice.plan.stageByStage).toBe(true);
  });

  it('tiny models on a small machine need nothing', () => {
    const tiny = { text_encoder: 2e6, unet: 8e6, controlnet: 4e6, vae_encoder: 1e6, vae_decoder: 1e6 };
    const advice = adviseMemory({
      weights: tiny,
      width: 256,
      height: 256,
      cfg: true,
      lowMemory: false,
      available: 2 * GiB,
    });
    expect(advice).toMatchObject({ lowMemory: 'off', plan: { stageByStage: false, releaseEncoders: false } });
  });
});
