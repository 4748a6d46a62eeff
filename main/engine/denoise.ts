/**
 * The denoising loop (architecture.md §3, step 7): classifier-free guidance, ControlNet residuals (split: a
 * ControlNet session feeding the residual UNet; fused: one UNet graph taking the control image) with conditioning
 * scale and a guidance window, RoI latent blending every step, cancellation between steps and a progress callback.
 *
 * Every tensor is allocated once before the first step and rewritten in place (denoiseInputs.ts); float16 IO
 * converts through preallocated buffers. The loop measures the time spent inside `session.run` apart from its own,
 * and the bytes that cross between JS and ONNX Runtime.
 */
import type ort from 'onnxruntime-node';
import type { Scheduler, GaussianSource } from '../../shared/engine/schedulers';
import { IirError, throwIfCancelled, type CancelSignal } from '../../shared/errors';
import type { ControlTensor } from '../../shared/image/control';
import type { RgbImage } from '../../shared/image/types';
import { controlPath, StepInputs, type ControlPath, type ModelRunner } from './denoiseInputs';
import { noiseOutputName, runModel } from './modelRun';
import { latentPreview } from './preview';
import type { LoadedSession } from './sessions';
import { bytesPerElement, readFloat } from './tensors';

export { residualLayout } from './denoiseInputs';

/** The diffusion sessions: the UNet (plain, residual or fused) and, in the split form, the ControlNet. */
export interface DenoiseModels {
  readonly unet: LoadedSession;
  readonly controlnet?: LoadedSession;
}

/** What one step reports. `preview` computes the approximate RGB picture only when called. */
export interface StepProgress {
  readonly step: number;
  readonly total: number;
  readonly timestep: number;
  preview(): RgbImage;
}

export interface DenoiseInput {
  readonly scheduler: Scheduler;
  /** Text conditioning [batch, 77, D], unconditional first when batch is 2. */
  readonly text: Float32Array;
  /** 2 = classifier-free guidance (unconditional + conditional), 1 = conditional only. */
  readonly batch: 1 | 2;
  readonly guidance: number;
  /** Control image [1, C, H, W] in [0, 1]. */
  readonly control: ControlTensor;
  readonly controlScale: number;
  /** Guidance window: residuals are used on step i when i/n ≥ start and (i+1)/n ≤ end. */
  readonly controlStart: number;
  readonly controlEnd: number;
  /** The starting latents [4, h, w]; denoised in place. */
  readonly latents: Float32Array;
  readonly latentHeight: number;
  readonly latentWidth: number;
  /**
   * RoI latent blending: outside `mask` (h × w, 1 = edit), latents are replaced by `original` noised with `noise`
   * to the current noise level, at the start and after every step.
   */
  readonly blend?: { readonly original: Float32Array; readonly noise: Float32Array; readonly mask: Float32Array };
  /** The stochastic schedulers' noise source (seeded). */
  readonly rng: GaussianSource;
  /** LCM guidance embedding [batch, 256] for UNets that take `timestep_cond`. */
  readonly timestepCond?: Float32Array;
  readonly signal?: CancelSignal;
  readonly onStep?: (progress: StepProgress) => void;
  /** Run a CFG batch as two B = 1 passes (low-memory mode): half the activations, the same result. */
  readonly splitBatch?: boolean;
}

/** Where the time went, summed over the steps. */
export interface DenoiseStats {
  readonly steps: number;
  /** Inside `session.run`, ms. */
  readonly runMs: number;
  /** Outside `session.run` (the engine's own per-step work), ms. */
  readonly overheadMs: number;
  /** Bytes of every tensor fed to and returned by ONNX Runtime from and to JS memory. */
  readonly bytesCopied: number;
  /** The part of {@link bytesCopied} that is ControlNet residuals (0 when they stay on the device, or fused). */
  readonly residualBytes: number;
}

function tensorBytes(tensor: ort.Tensor): number {
  return tensor.location === 'cpu' || tensor.location === 'cpu-pinned' ? tensor.size * bytesPerElement(tensor.type) : 0;
}

/** Whether the ControlNet is applied on step `i` of `n`. */
export function isControlActive(i: number, n: number, start: number, end: number): boolean {
  return i / n >= start && (i + 1) / n <= end + 1e-9;
}

/** RoI latent blending: outside the mask, the latents become the original noised to step `stepIndex`'s level. */
function latentBlender(input: DenoiseInput): (stepIndex: number) => void {
  const { blend, latents, scheduler } = input;
  if (!blend) return () => undefined;
  const noised = new Float32Array(latents.length);
  const plane = input.latentHeight * input.latentWidth;
  return (stepIndex) => {
    scheduler.addNoise(blend.original, blend.noise, stepIndex, noised);
    const mask = blend.mask;
    for (let c = 0; c < 4; c++) {
      const base = c * plane;
      for (let p = 0; p < plane; p++) {
        const m = mask[p]!;
        if (m >= 1) continue;
        const j = base + p;
        latents[j] = m <= 0 ? noised[j]! : noised[j]! + m * (latents[j]! - noised[j]!);
      }
    }
  };
}

/** Classifier-free guidance ε = ε_u + g(ε_c − ε_u) into `out` (the prediction itself when batch is 1). */
function guide(prediction: Float32Array, batch: number, guidance: number, out: Float32Array): Float32Array {
  if (batch === 1) return prediction;
  const n = out.length;
  for (let j = 0; j < n; j++) {
    const u = prediction[j]!;
    out[j] = u + guidance * (prediction[n + j]! - u);
  }
  return out;
}

interface Totals {
  runMs: number;
  bytesCopied: number;
  residualBytes: number;
}

const isResidual = (name: string): boolean => name.endsWith('_additional_residual');

/** A {@link ModelRunner} that adds the time inside ONNX Runtime and the bytes crossing JS to `totals`. */
function measuredRunner(totals: Totals): ModelRunner {
  return async (model, what, feeds, fetches, shrink) => {
    for (const name in feeds) {
      const bytes = tensorBytes(feeds[name]!);
      totals.bytesCopied += bytes;
      if (isResidual(name)) totals.residualBytes += bytes;
    }
    const started = performance.now();
    const out = await runModel(model, what, feeds, fetches, shrink);
    totals.runMs += performance.now() - started;
    for (const name in out) {
      const bytes = tensorBytes(out[name]!);
      totals.bytesCopied += bytes;
      if (isResidual(name)) totals.residualBytes += bytes;
    }
    return out;
  };
}

/** One UNet run per step: the whole batch, or one half of a classifier-free-guidance batch. */
interface UnetPass {
  readonly batch: 1 | 2;
  readonly inputs: StepInputs;
  readonly control: ControlPath;
  /** Where this pass's predictions go in the [batch·n] prediction buffer. */
  readonly offset: number;
}

/**
 * The UNet passes: one with the whole batch, or with `splitBatch` (low-memory mode) the unconditional and the
 * conditional half as two B = 1 runs, which halves the activations held at once.
 */
function unetPasses(models: DenoiseModels, input: DenoiseInput, n: number): UnetPass[] {
  const { batch, latentHeight, latentWidth } = input;
  const halves = input.splitBatch && batch === 2 ? 2 : 1;
  const passBatch = (batch / halves) as 1 | 2;
  const width = input.text.length / batch;
  return Array.from({ length: halves }, (_, h) => {
    const text = halves === 1 ? input.text : input.text.subarray(h * width, (h + 1) * width);
    const cond = input.timestepCond;
    const timestepCond = cond && halves > 1 ? cond.subarray((h * cond.length) / 2, ((h + 1) * cond.length) / 2) : cond;
    const source = { ...input, text, batch: passBatch, ...(timestepCond ? { timestepCond } : {}) };
    const dims = [passBatch, 4, latentHeight, latentWidth];
    return {
      batch: passBatch,
      inputs: new StepInputs(models.unet.session, 'UNet', source, dims),
      control: controlPath(models.unet, models.controlnet, source),
      offset: h * passBatch * n,
    };
  });
}

/** Runs the denoising loop; `input.latents` holds the final latents afterwards. */
export async function denoise(models: DenoiseModels, input: DenoiseInput): Promise<DenoiseStats> {
  const { scheduler, batch, guidance, latents, latentHeight, latentWidth, rng, signal } = input;
  const unet = models.unet;
  const n = latents.length;
  const passes = unetPasses(models, input, n);
  const outputName = noiseOutputName(unet.session, 'UNet', unet.path);
  const eps = new Float32Array(n);
  const predictions = new Float32Array(batch * n);
  const applyBlend = latentBlender(input);
  const totals: Totals = { runMs: 0, bytesCopied: 0, residualBytes: 0 };
  const run = measuredRunner(totals);

  const total = scheduler.stepCount;
  const loopStarted = performance.now();
  applyBlend(0);
  for (let i = 0; i < total; i++) {
    throwIfCancelled(signal);
    const timestep = scheduler.timesteps[i]!;
    const scale = scheduler.modelInputScale(i);
    const active = isControlActive(i, total, input.controlStart, input.controlEnd) && input.controlScale !== 0;
    const last = i === total - 1;
    for (const pass of passes) {
      pass.inputs.set(latents, scale, pass.batch, timestep);
      const controlFeeds = await pass.control.feeds({ latents, scale, timestep, active, last }, run);
      const out = await run(unet, 'UNet', { ...pass.inputs.feeds(), ...controlFeeds }, [outputName], last);
      pass.control.endStep();
      const values = readFloat(out[outputName], outputName);
      if (values.length !== pass.batch * n) {
        throw new IirError(
          'model_missing',
          `model error in ${unet.path} (UNet): "${outputName}" has ${values.length} values, ${pass.batch * n} expected`,
        );
      }
      predictions.set(values, pass.offset);
    }
    scheduler.step(guide(predictions, batch, guidance, eps), i, latents, rng, latents);
    applyBlend(i + 1);
    input.onStep?.({ step: i + 1, total, timestep, preview: () => latentPreview(latents, latentHeight, latentWidth) });
  }
  const elapsed = performance.now() - loopStarted;
  return { steps: total, ...totals, overheadMs: elapsed - totals.runMs };
}
