/**
 * Memory levers observed at the ONNX Runtime boundary: CFG as two B = 1 passes in low-memory mode, and the CPU
 * arena shrinking after single-run models, after the last step, and after every run in low-memory mode.
 */
import { join } from 'node:path';
import type ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { denoise } from '../../../main/engine/denoise';
import { preflight } from '../../../main/engine/providers';
import { createSession, type LoadedSession } from '../../../main/engine/sessions';
import { createScheduler } from '../../../shared/engine/schedulers';
import type { ControlTensor } from '../../../shared/image/control';
import { Rng, fillGaussian } from '../../../shared/image/random';
import { ensureFixtures } from '../../fixtures/models/all';

interface Call {
  readonly batch: number | undefined;
  readonly shrink: boolean;
}

let unet: LoadedSession;
let controlnet: LoadedSession;
let lowUnet: LoadedSession;
let encoder: LoadedSession;

/** Records the `sample` batch and whether the arena shrinks, for every run of `loaded`. */
function record(loaded: LoadedSession, calls: Call[]): LoadedSession {
  const session = loaded.session;
  const run = session.run.bind(session) as (...args: unknown[]) => Promise<ort.InferenceSession.ReturnType>;
  const spy = (feeds: Record<string, ort.Tensor>, ...rest: unknown[]) => {
    const options = rest.at(-1) as { extra?: { memory?: Record<string, string> } } | undefined;
    const shrink = options?.extra?.memory?.enable_memory_arena_shrinkage === 'cpu:0';
    calls.push({ batch: feeds.sample?.dims[0], shrink });
    return run(feeds, ...rest);
  };
  return { ...loaded, session: Object.assign(Object.create(session) as ort.InferenceSession, { run: spy }) };
}

beforeAll(async () => {
  const models = ensureFixtures();
  const options = { report: await preflight(), settings: { default: 'cpu' as const } };
  unet = await createSession(join(models, 'sd15', 'controlnet', 'model.onnx'), 'unet', options);
  controlnet = await createSession(join(models, 'controlnet-iir', 'model.onnx'), 'controlnet', options);
  lowUnet = await createSession(unet.path, 'unet', { ...options, lowMemory: true });
  encoder = await createSession(join(models, 'sd15', 'vae_encoder', 'model.onnx'), 'vae_encoder', options);
});

afterAll(async () => {
  for (const s of [unet, controlnet, lowUnet, encoder]) await s.session.release();
});

function input(splitBatch: boolean) {
  const rng = new Rng(2);
  return {
    scheduler: createScheduler('ddim', { steps: 3 }),
    text: fillGaussian(new Float32Array(2 * 77 * 768), rng),
    batch: 2 as const,
    guidance: 7.5,
    control: { data: new Float32Array(4 * 64 * 64).fill(0.5), shape: [1, 4, 64, 64] } as ControlTensor,
    controlScale: 1,
    controlStart: 0,
    controlEnd: 1,
    latents: fillGaussian(new Float32Array(4 * 8 * 8), rng),
    latentHeight: 8,
    latentWidth: 8,
    rng,
    splitBatch,
  };
}

describe('memory levers', () => {
  it('low-memory mode runs the CFG batch as two B = 1 passes with the same result', async () => {
    const whole: Call[] = [];
    const split: Call[] = [];
    const a = input(false);
    await denoise({ unet: record(unet, whole), controlnet: record(controlnet, whole) }, a);
    const b = input(true);
    await denoise({ unet: record(unet, split), controlnet: record(controlnet, split) }, b);
    expect(whole.map((c) => c.batch)).toEqual(new Array(6).fill(2));
    expect(split.map((c) => c.batch)).toEqual(new Array(12).fill(1));
    for (let i = 0; i < a.latents.length; i++) expect(b.latents[i]).toBeCloseTo(a.latents[i]!, 4);
  });

  it('the arena shrinks after the last step, after every step in low-memory mode, and after one-run models', async () => {
    const calls: Call[] = [];
    await denoise({ unet: record(unet, calls), controlnet: record(controlnet, calls) }, input(false));
    expect(calls.map((c) => c.shrink)).toEqual([false, false, false, false, true, true]);
    const low: Call[] = [];
    await denoise({ unet: record(lowUnet, low), controlnet: record(controlnet, low) }, input(false));
    expect(low.filter((c, i) => i % 2 === 1).every((c) => c.shrink)).toBe(true);
    expect(encoder.shrinkArena).toBe(true);
    expect(unet.shrinkArena).toBe(false);
  });
});
