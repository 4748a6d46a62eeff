/**
 * The memory plan: the cheapest levers that fit 8 GiB (default) or 6 GiB (low-memory), or the machine's free memory
 * when less; tiled VAE by frame size alone (reproducible pixels); and the text and VAE encoders released after use.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultBudget, estimatePeak, planMemory, vaeTiled } from '../../../main/engine/memoryPlan';
import { preflight } from '../../../main/engine/providers';
import { ModelSessions } from '../../../main/engine/sessions';
import { ensureFixtures } from '../../fixtures/models/all';

const GiB = 2 ** 30;
/** The real-scale SD1.5 set's files (fp32, external data), bytes. */
const sd15 = {
  text_encoder: 492_313_396,
  unet: 3_438_320_522,
  controlnet: 1_445_228_323,
  vae_encoder: 136_721_014,
  vae_decoder: 197_999_124,
};

describe('planMemory', () => {
  it('512², default settings, a roomy machine: CFG split, attention sliced, encoders released, arena off, under 8 GiB', () => {
    const plan = planMemory({
      weights: sd15,
      width: 512,
      height: 512,
      cfg: true,
      lowMemory: false,
      available: 20 * GiB,
    });
    expect(plan).toMatchObject({ tiledVae: true, releaseEncoders: true, splitBatch: true, stageByStage: false });
    expect(plan.cpuArena).toBe(false);
    expect(plan.attentionSlices).toBe(4);
    expect(plan.estimate).toBeLessThanOrEqual(defaultBudget);
    expect(plan.budget).toBe(defaultBudget);
  });

  it('256², default settings: no lever is needed, nothing is released', () => {
    const plan = planMemory({
      weights: sd15,
      width: 256,
      height: 384,
      cfg: true,
      lowMemory: false,
      available: 20 * GiB,
    });
    expect(plan).toMatchObject({ tiledVae: true, releaseEncoders: false, splitBatch: false, stageByStage: false });
    expect(plan.cpuArena).toBe(true);
    const square = planMemory({ weights: sd15, width: 256, height: 256, cfg: true, lowMemory: false });
    expect(square.tiledVae).toBe(false);
  });

  it('a machine with less free memory than the default needs gets low-memory settings automatically', () => {
    const plan = planMemory({
      weights: sd15,
      width: 512,
      height: 512,
      cfg: true,
      lowMemory: false,
      available: 6 * GiB,
    });
    expect(plan.stageByStage).toBe(true);
    expect(plan.budget).toBe(6 * GiB);
  });

  it('low-memory mode always runs stage by stage; at 512² with attention in slices, under 6 GiB', () => {
    const plan = planMemory({
      weights: sd15,
      width: 512,
      height: 512,
      cfg: true,
      lowMemory: true,
      available: 20 * GiB,
    });
    expect(plan).toMatchObject({ stageByStage: true, splitBatch: true, releaseEncoders: true, cpuArena: false });
    expect(plan.attentionSlices).toBe(4);
    expect(plan.budget).toBe(6 * GiB);
    expect(plan.estimate).toBeLessThanOrEqual(6 * GiB);
    const small = planMemory({ weights: sd15, width: 256, height: 256, cfg: true, lowMemory: true });
    expect(small.estimate).toBeLessThan(plan.estimate);
  });

  it('every lever lowers the estimate; without CFG the split changes nothing', () => {
    const base = {
      tiledVae: false,
      releaseEncoders: false,
      splitBatch: false,
      stageByStage: false,
      cpuArena: true,
      attentionSlices: 1,
    };
    const pixels = 512 * 512;
    const none = estimatePeak(sd15, pixels, true, base);
    const tiled = estimatePeak(sd15, pixels, true, { ...base, tiledVae: true });
    const split = estimatePeak(sd15, pixels, true, {
      ...base,
      tiledVae: true,
      releaseEncoders: true,
      splitBatch: true,
    });
    expect(tiled).toBeLessThanOrEqual(none);
    expect(split).toBeLessThan(tiled);
    expect(estimatePeak(sd15, pixels, false, { ...base, splitBatch: true })).toBe(
      estimatePeak(sd15, pixels, false, base),
    );
    const low = { ...base, tiledVae: true, releaseEncoders: true, splitBatch: true, stageByStage: true };
    expect(estimatePeak(sd15, pixels, true, { ...low, attentionSlices: 4 })).toBeLessThan(
      estimatePeak(sd15, pixels, true, low),
    );
    expect(vaeTiled(320, 320)).toBe(false);
    expect(vaeTiled(384, 256)).toBe(true);
  });
});

describe('releasing the encoders after use', () => {
  it('done() releases the roles the plan names and keeps the others loaded', async () => {
    const models = ensureFixtures();
    const dir = join(models, 'sd15');
    const paths = {
      text_encoder: join(dir, 'text_encoder', 'model.onnx'),
      vae_decoder: join(dir, 'vae_decoder', 'model.onnx'),
    };
    const options = { report: await preflight(), settings: { default: 'cpu' as const } };
    const sessions = new ModelSessions(paths, { ...options, releaseAfterUse: ['text_encoder', 'vae_encoder'] });
    await sessions.get('text_encoder');
    await sessions.get('vae_decoder');
    await sessions.done('text_encoder');
    await sessions.done('vae_decoder');
    expect(sessions.loadedRoles()).toEqual(['vae_decoder']);
    await sessions.releaseAll();
    const keeping = new ModelSessions(paths, options);
    await keeping.get('text_encoder');
    await keeping.done('text_encoder');
    expect(keeping.loadedRoles()).toEqual(['text_encoder']);
    await keeping.releaseAll();
  });
});
