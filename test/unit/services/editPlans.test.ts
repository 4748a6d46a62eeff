/**
 * Main's memory plan before Generate (editPlans.ts): made from the installed files and the machine's memory, shown
 * by the panels, and the very plan the matching edit then runs with.
 */
import { statSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { ImageId, ImageInfo } from '../../../shared/api';
import { EditPlanner, type PlanChoice, type PlannerServices } from '../../../main/services/editPlans';
import { planMemory } from '../../../main/engine/memoryPlan';
import { graphFiles } from '../../../main/engine/modelFiles';
import { locateModelSet } from '../../../main/engine/modelSet';
import { setWeights } from '../../../main/engine/modelFiles';
import { ensureFixtures } from '../../fixtures/models/all';

const GiB = 2 ** 30;
const photo = 'img_1' as ImageId;
const choice: PlanChoice = {
  sd: 'sd15',
  controlnet: 'controlnet-canny',
  size: 512,
  guidance: 7.5,
  provider: 'cpu',
  lowMemory: false,
};

function planner(memory: { free: number; engineRss?: number; lowMemorySetting?: boolean }) {
  const state = { ...memory };
  const info = { id: photo, kind: 'original', width: 451, height: 300, hasAlpha: false, name: 'a.png', path: null };
  const services: PlannerServices = {
    images: { info: () => info as ImageInfo },
    engines: { client: () => ({ lastRss: state.engineRss }) as never },
    models: { modelsDir: () => ensureFixtures() },
    settings: { get: () => ({ lowMemory: state.lowMemorySetting ?? false, providerPerRole: {} }) as never },
  };
  const made = new EditPlanner(
    services,
    (provider) => Promise.resolve(provider),
    () => state.free,
    () => 16 * GiB,
  );
  return { made, state };
}

describe('EditPlanner', () => {
  it('plans the working frame from the installed files, without loading a model', async () => {
    const { made } = planner({ free: 12 * GiB });
    const planned = await made.plan(photo, choice);
    expect(planned.plan).toMatchObject({
      width: 768,
      height: 512,
      device: 'cpu',
      lowMemory: 'off',
      stageByStage: false,
    });
    expect(planned.plan).toMatchObject({ totalMemory: 16 * GiB, availableMemory: 12 * GiB });
    expect(planned.levers.stageByStage).toBe(false);
    expect(planned.warmUp).toMatchObject({ kind: 'warmup', width: 451, height: 300, memory: planned.levers });
    expect(planned.warmUp.params).toMatchObject({
      sd: 'sd15',
      controlnet: 'controlnet-canny',
      size: 512,
      lowMemory: false,
    });
  });

  it('counts every file a graph loads (external data too)', async () => {
    const set = await locateModelSet({
      modelsDir: ensureFixtures(),
      sd: 'sd15-external',
      controlnet: 'controlnet-canny',
    });
    const weights = await setWeights(set);
    const unet = set.files.unet;
    const files = await graphFiles(unet);
    expect(files.length).toBeGreaterThan(1);
    expect(weights.unet).toBe(files.reduce((sum, file) => sum + statSync(file).size, 0));
    expect(weights.unet).toBeGreaterThan(statSync(unet).size);
    const { made } = planner({ free: 64 * GiB });
    const planned = await made.plan(photo, { ...choice, sd: 'sd15-external' });
    const cfg = { weights, width: 768, height: 512, cfg: true, lowMemory: false, available: 64 * GiB };
    expect(planned.plan.expectedPeak).toBe(planMemory(cfg).estimate);
  });

  it('the edit runs with the plan the panels showed: the same object, not a second computation', async () => {
    const { made, state } = planner({ free: 12 * GiB });
    const shown = await made.plan(photo, choice);
    state.free = 11 * GiB; // the machine moved a little, the plan still fits
    expect(await made.forEdit(photo, choice)).toBe(shown);
    const other = await made.forEdit(photo, { ...choice, size: 256 });
    expect(other).not.toBe(shown);
    expect(other.plan).toMatchObject({ width: 384, height: 256 });
  });

  it('re-plans for the edit when the shown plan no longer fits what is free', async () => {
    const { made, state } = planner({ free: 12 * GiB });
    const shown = await made.plan(photo, choice);
    state.free = 0.5 * GiB;
    const planned = await made.forEdit(photo, choice);
    expect(planned).not.toBe(shown);
    expect(planned.plan.lowMemory).toBe('auto');
  });

  it('picks low-memory settings on a machine short of memory, and says with which figures', async () => {
    const { made } = planner({ free: 0.6 * GiB });
    const planned = await made.plan(photo, choice);
    expect(planned.plan).toMatchObject({ lowMemory: 'auto', stageByStage: true, availableMemory: 0.6 * GiB });
    expect(planned.plan.defaultPeak).toBeGreaterThan(0.6 * GiB);
    expect(planned.levers).toMatchObject({ stageByStage: true, cpuArena: false });
    expect(planned.warmUp.params.lowMemory).toBe(true);
  });

  it('what the engine holds (its sessions) counts as memory an edit can have', async () => {
    const { made } = planner({ free: 0.6 * GiB, engineRss: 4 * GiB });
    const planned = await made.plan(photo, choice);
    expect(planned.plan.lowMemory).toBe('off');
    expect(planned.plan.availableMemory).toBeCloseTo(0.6 * GiB + 4 * GiB - 0.45 * GiB, -3);
  });

  it('the low-memory setting forces stage by stage; the sessions differ from the default plan', async () => {
    const { made, state } = planner({ free: 12 * GiB });
    const normal = await made.plan(photo, choice);
    state.lowMemorySetting = true;
    const forced = await made.plan(photo, { ...choice, lowMemory: true });
    expect(forced.plan.lowMemory).toBe('chosen');
    expect(forced.sessions).not.toBe(normal.sessions);
  });

  it('a missing model is the one-line model error, before anything loads', async () => {
    const { made } = planner({ free: 12 * GiB });
    await expect(made.plan(photo, { ...choice, sd: 'no-such-model' })).rejects.toThrow(/no-such-model/);
  });
});
