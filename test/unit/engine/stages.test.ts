/**
 * Each edit stage on its own, with the fixture models: prepare → text → frame → encode → start latents → denoise →
 * decode → composite → recipe. The stages are chained here only to obtain each one's typed input.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveOptions, type EditOptions, type EditRequest } from '../../../main/engine/pipeline';
import { compositeMask } from '../../../main/engine/composite';
import { ModelSessions } from '../../../main/engine/sessions';
import {
  buildRecipe,
  compositeStage,
  decodeStage,
  denoiseStage,
  encodeImage,
  encodeTextStage,
  hashModelSet,
  prepareEdit,
  prepareFrame,
  startLatents,
  usesAuto,
  type FramePlan,
  type PreparedEdit,
} from '../../../main/engine/stages';
import { createScheduler } from '../../../shared/engine/schedulers';
import { createMask, type Mask, type RgbImage } from '../../../shared/image/types';
import { ensureFixtures } from '../../fixtures/models/all';

const chelsea = join(import.meta.dirname, '..', '..', 'fixtures', 'images', 'chelsea.png');
let models: string;
let sessions: ModelSessions;
let prepared: PreparedEdit;
let frame: FramePlan;

function roi(): Mask {
  const mask = createMask(451, 300);
  for (let y = 90; y < 210; y++) mask.data.fill(255, y * 451 + 150, y * 451 + 300);
  return mask;
}

function request(options: Partial<EditOptions> = {}, mask = roi()): EditRequest {
  const all: EditOptions = { prompt: 'a green cat', steps: 2, size: 256, provider: 'cpu', ...options };
  return { image: chelsea, mask, modelsDir: models, options: { sd: 'sd15', controlnet: 'controlnet-canny', ...all } };
}

async function prepare(options: Partial<EditOptions> = {}): Promise<PreparedEdit> {
  const r = request(options);
  return prepareEdit(r, resolveOptions(r.options));
}

beforeAll(async () => {
  models = ensureFixtures();
  prepared = await prepare();
  sessions = new ModelSessions({ ...prepared.set.files }, { report: prepared.report, settings: prepared.settings });
  frame = await prepareFrame(prepared);
});

afterAll(() => sessions.releaseAll());

describe('edit stages', () => {
  it('prepare: resolves the set, the engine strength and CFG; advice only for auto', async () => {
    expect(prepared.set.engine).toBe('iir-training-free');
    expect(prepared.strength).toBe(0.75);
    expect(prepared.useCfg).toBe(true);
    expect(prepared.warnings).toEqual([]);
    expect((await prepare({ guidance: 1 })).useCfg).toBe(false);
    expect((await prepare({ controlnet: 'controlnet-iir' })).strength).toBe(1);
    expect(usesAuto({ default: 'cpu', perRole: { unet: 'auto' } })).toBe(true);
    expect(usesAuto({ default: 'cpu' })).toBe(false);
    const empty = request({}, createMask(451, 300));
    await expect(prepareEdit(empty, resolveOptions(empty.options))).rejects.toThrow('the mask is empty');
  });

  it('text: prompt and negative prompt → [2, 77, 768]', async () => {
    const text = await encodeTextStage(sessions, prepared);
    expect(text.batch).toBe(2);
    expect(text.hiddenStates).toHaveLength(2 * 77 * 768);
  });

  it('frame: working frame, latent size and latent RoI; training-free starts from the image', () => {
    const { width, height } = frame.prep.frame;
    expect([frame.latentWidth, frame.latentHeight]).toEqual([width / 8, height / 8]);
    expect(height).toBe(256);
    expect(frame.latentRoi).toHaveLength(frame.latentWidth * frame.latentHeight);
    expect(frame.latentRoi.some((v) => v === 0) && frame.latentRoi.some((v) => v === 1)).toBe(true);
    expect(frame.fromImage).toBe(true);
  });

  it('encode: VAE(image) → 4 × h × w latents; the same image gives the same latents', async () => {
    const a = await encodeImage(sessions, frame.prep.working, true, false);
    expect(a).toHaveLength(4 * frame.latentWidth * frame.latentHeight);
    expect(await encodeImage(sessions, frame.prep.working, true, false)).toEqual(a);
  });

  it('start latents: seeded pure noise ×σ, or the image noised to the first timestep', () => {
    const scheduler = createScheduler('euler', { steps: 4 });
    const pure = startLatents(scheduler, 64, 3);
    expect(pure.latents[5]).toBeCloseTo(pure.noise[5]! * scheduler.initNoiseSigma, 5);
    expect(startLatents(scheduler, 64, 3).latents).toEqual(pure.latents);
    expect(startLatents(scheduler, 64, 4).latents).not.toEqual(pure.latents);
    const image = new Float32Array(64).fill(0.5);
    const expected = new Float32Array(64);
    scheduler.addNoise(image, pure.noise, 0, expected);
    expect(startLatents(scheduler, 64, 3, image).latents).toEqual(expected);
  });

  async function denoised(): Promise<{ latents: Float32Array; steps: number; expected: number }> {
    const text = await encodeTextStage(sessions, prepared);
    const original = await encodeImage(sessions, frame.prep.working, true, false);
    const scheduler = createScheduler('ddim', { steps: 4, strength: prepared.strength });
    const start = startLatents(scheduler, original.length, 1, original);
    const before = start.latents.slice();
    const stats = await denoiseStage(sessions, {
      prepared,
      frame,
      scheduler,
      text: text.hiddenStates,
      control: frame.prep.control,
      start,
      original,
      splitBatch: false,
    });
    expect(start.latents).not.toEqual(before);
    return { latents: start.latents, steps: stats.steps, expected: scheduler.stepCount };
  }

  it('denoise: runs every step and denoises the latents in place', async () => {
    const { steps, expected } = await denoised();
    expect(steps).toBe(expected);
    expect(expected).toBe(3); // strength 0.75 of 4 steps
  });

  it('decode and composite: RGB at the working size; outside the blend mask the original bytes', async () => {
    const { latents } = await denoised();
    const decoded = await decodeStage(sessions, latents, frame, false);
    expect([decoded.width, decoded.height]).toEqual([frame.prep.frame.width, frame.prep.frame.height]);
    const full = await prepared.source.decode();
    const stored = await prepared.source.decodeStored();
    const { composite, view } = await compositeStage(stored, decoded, prepared, frame);
    // An sRGB file without a profile: its stored values are the sRGB ones the screen shows.
    expect(composite.image.data).toEqual(view.rgb.data);
    const out: RgbImage = view.rgb;
    const blend = compositeMask(prepared.mask, frame.prep.frame, 8, 8);
    let outside = 0;
    let changed = 0;
    for (let i = 0; i < blend.data.length; i++) {
      const same = [0, 1, 2].every((k) => out.data[3 * i + k] === full.rgb.data[3 * i + k]);
      if (blend.data[i] === 0 && !same) outside++;
      if (!same) changed++;
    }
    expect(outside).toBe(0);
    expect(changed).toBeGreaterThan(1000);
  });

  it('recipe: parameters, frame, timesteps, model hashes and providers of the sessions that ran', async () => {
    const records = await hashModelSet(prepared.set, undefined);
    const recipe = buildRecipe({ prepared, frame, seed: 12, timesteps: [951, 451], models: records, sessions });
    expect(recipe).toMatchObject({
      seed: 12,
      engine: 'iir-training-free',
      controlForm: 'split',
      timesteps: [951, 451],
    });
    expect(recipe.params).toMatchObject({ strength: 0.75, steps: 2, size: 256, scheduler: 'ddim' });
    expect(recipe.workingFrame.height).toBe(256);
    expect(recipe.providers).toMatchObject({ text_encoder: 'cpu', unet: 'cpu', controlnet: 'cpu' });
    expect(Object.keys(recipe.models.controlnet!.files)).toEqual(['model.onnx']);
    expect(recipe.reproducible).toEqual({ exact: true, notes: [] });
  });
});
