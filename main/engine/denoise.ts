/**
 * The denoising loop (architecture.md §3, step 7): classifier-free guidance, ControlNet residuals (split: a
 * ControlNet session feeding the residual UNet; fused: one UNet graph taking the control image) with conditioning
 * scale and a guidance window, RoI latent blending every step, cancellation between steps and a progress callback.
 *
 * Every tensor is allocated once before the first step and rewritten in place; float16 IO converts through
 * preallocated buffers. The loop measures the time spent inside `session.run` apart from its own.
 */
import type ort from 'onnxruntime-node';
import type { Scheduler, GaussianSource } from '../../shared/engine/schedulers';
import { IirError, throwIfCancelled, type CancelSignal } from '../../shared/errors';
import type { ControlTensor } from '../../shared/image/control';
import type { RgbImage } from '../../shared/image/types';
import { latentPreview } from './preview';
import type { LoadedSession } from './sessions';
import {
  FloatInput,
  ScalarInput,
  bytesPerElement,
  filledTensor,
  findInput,
  fixedDim,
  readFloat,
  requireInput,
  type TensorSpec,
} from './tensors';

/** SD1.5's 13 ControlNet residuals: channels and spatial downsampling relative to the latents. */
export const residualLayout: readonly { name: string; channels: number; factor: number }[] = [
  ...[320, 320, 320, 320, 640, 640, 640, 1280, 1280, 1280, 1280, 1280].map((channels, i) => ({
    name: `down_block_${i}_additional_residual`,
    channels,
    factor: [1, 1, 1, 2, 2, 2, 4, 4, 4, 8, 8, 8][i]!,
  })),
  { name: 'mid_block_additional_residual', channels: 1280, factor: 8 },
];

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
}

/** Where the time went, summed over the steps. */
export interface DenoiseStats {
  readonly steps: number;
  /** Inside `session.run`, ms. */
  readonly runMs: number;
  /** Outside `session.run` (the engine's own per-step work), ms. */
  readonly overheadMs: number;
  /** Bytes of every tensor fed to and returned by ONNX Runtime. */
  readonly bytesCopied: number;
}

function tensorBytes(tensor: ort.Tensor): number {
  return tensor.size * bytesPerElement(tensor.type);
}

/** Whether the ControlNet is applied on step `i` of `n`. */
export function isControlActive(i: number, n: number, start: number, end: number): boolean {
  return i / n >= start && (i + 1) / n <= end + 1e-9;
}

/** Inputs shared by the UNet and the ControlNet that change per step: sample and timestep (+ fixed text). */
class StepInputs {
  readonly sample: FloatInput;
  readonly timestep: ScalarInput;
  readonly hidden: FloatInput;
  readonly timestepCond: FloatInput | undefined;

  constructor(session: ort.InferenceSession, what: string, input: DenoiseInput, sampleDims: number[]) {
    const { batch, text } = input;
    this.sample = new FloatInput(requireInput(session, 'sample', what), sampleDims, what);
    this.timestep = new ScalarInput(requireInput(session, 'timestep', what), batch);
    const hiddenSpec = requireInput(session, 'encoder_hidden_states', what);
    const width = text.length / (batch * 77);
    this.hidden = new FloatInput(hiddenSpec, [batch, 77, width], what, text.slice());
    this.hidden.sync();
    const condSpec = findInput(session, 'timestep_cond');
    if (condSpec) {
      if (!input.timestepCond) throw new IirError('internal', `${what} takes timestep_cond but none was computed`);
      const dim = fixedDim(condSpec, 1, 256);
      this.timestepCond = new FloatInput(condSpec, [batch, dim], what, input.timestepCond.slice());
      this.timestepCond.sync();
    } else this.timestepCond = undefined;
  }

  /** Writes the scaled latents into every batch item. */
  setSample(latents: Float32Array, scale: number, batch: number): void {
    const values = this.sample.values;
    const n = latents.length;
    for (let j = 0; j < n; j++) values[j] = latents[j]! * scale;
    for (let b = 1; b < batch; b++) values.copyWithin(b * n, 0, n);
  }

  feeds(): Record<string, ort.Tensor> {
    const feeds: Record<string, ort.Tensor> = {
      sample: this.sample.sync(),
      timestep: this.timestep.tensor,
      encoder_hidden_states: this.hidden.tensor,
    };
    if (this.timestepCond) feeds.timestep_cond = this.timestepCond.tensor;
    return feeds;
  }
}

function repeatBatch(data: Float32Array, batch: number): Float32Array<ArrayBuffer> {
  const out = new Float32Array(data.length * batch);
  for (let b = 0; b < batch; b++) out.set(data, b * data.length);
  return out;
}

/** Feeds the split ControlNet's residuals to the residual UNet, converting dtypes only when they differ. */
class ResidualBridge {
  private readonly specs: TensorSpec[];
  private readonly converters = new Map<string, FloatInput>();
  private zeros: Record<string, ort.Tensor> | undefined;

  constructor(
    private readonly unet: ort.InferenceSession,
    private readonly batch: number,
    private readonly latentHeight: number,
    private readonly latentWidth: number,
  ) {
    this.specs = residualLayout.map((r) => requireInput(unet, r.name, 'residual UNet'));
  }

  private dims(index: number): number[] {
    const layout = residualLayout[index]!;
    const spec = this.specs[index]!;
    return [
      this.batch,
      fixedDim(spec, 1, layout.channels),
      Math.ceil(this.latentHeight / layout.factor),
      Math.ceil(this.latentWidth / layout.factor),
    ];
  }

  /** Zero residuals (ControlNet outside its guidance window), created once. */
  zeroFeeds(): Record<string, ort.Tensor> {
    if (!this.zeros) {
      this.zeros = {};
      this.specs.forEach((spec, i) => {
        this.zeros![spec.name] = filledTensor(spec, 0, this.dims(i));
      });
    }
    return this.zeros;
  }

  /** The ControlNet's outputs as UNet feeds (the same tensors when the dtypes agree). */
  feeds(outputs: Record<string, ort.Tensor>): Record<string, ort.Tensor> {
    const feeds: Record<string, ort.Tensor> = {};
    this.specs.forEach((spec, i) => {
      const out = outputs[spec.name];
      if (!out) throw new IirError('model_missing', `the ControlNet gave no "${spec.name}"`);
      if (out.type === spec.type) {
        feeds[spec.name] = out;
        return;
      }
      let converter = this.converters.get(spec.name);
      if (!converter) {
        converter = new FloatInput(spec, this.dims(i), 'residual UNet');
        this.converters.set(spec.name, converter);
      }
      const values = readFloat(out, spec.name, converter.type === 'float32' ? converter.values : undefined);
      if (values !== converter.values) converter.values.set(values);
      feeds[spec.name] = converter.sync();
    });
    return feeds;
  }
}

/** Runs the denoising loop; `input.latents` holds the final latents afterwards. */
export async function denoise(models: DenoiseModels, input: DenoiseInput): Promise<DenoiseStats> {
  const { scheduler, batch, guidance, latents, latentHeight, latentWidth, blend, rng, signal } = input;
  const unet = models.unet.session;
  const n = latents.length;
  const sampleDims = [batch, 4, latentHeight, latentWidth];
  const unetInputs = new StepInputs(unet, 'UNet', input, sampleDims);
  const [, channels, height, width] = input.control.shape;
  const isFused = findInput(unet, 'controlnet_conds') !== undefined;
  const controlnet = models.controlnet?.session;
  if (!isFused && !controlnet) throw new IirError('internal', 'a split model set needs a ControlNet session');

  // ControlNet-side tensors, built once.
  let controlFeeds: Record<string, ort.Tensor> = {};
  let controlInputs: StepInputs | undefined;
  let bridge: ResidualBridge | undefined;
  let fusedScales: { active: ort.Tensor; inactive: ort.Tensor } | undefined;
  const controlValues =
    batch === 1 ? (input.control.data as Float32Array<ArrayBuffer>) : repeatBatch(input.control.data, batch);
  if (isFused) {
    const condSpec = requireInput(unet, 'controlnet_conds', 'fused UNet');
    const cond = new FloatInput(condSpec, [1, batch, channels, height, width], 'fused UNet', controlValues);
    const scaleSpec = requireInput(unet, 'conditioning_scales', 'fused UNet');
    const dims = scaleSpec.shape.length === 0 ? [] : [1];
    fusedScales = {
      active: filledTensor(scaleSpec, input.controlScale, dims),
      inactive: filledTensor(scaleSpec, 0, dims),
    };
    controlFeeds = { controlnet_conds: cond.sync() };
  } else if (controlnet) {
    controlInputs = new StepInputs(controlnet, 'ControlNet', input, sampleDims);
    const condSpec = requireInput(controlnet, 'controlnet_cond', 'ControlNet');
    const cond = new FloatInput(condSpec, [batch, channels, height, width], 'ControlNet', controlValues);
    const scaleSpec = requireInput(controlnet, 'conditioning_scale', 'ControlNet');
    controlFeeds = {
      controlnet_cond: cond.sync(),
      conditioning_scale: filledTensor(scaleSpec, input.controlScale, scaleSpec.shape.length === 0 ? [] : [1]),
    };
    bridge = new ResidualBridge(unet, batch, latentHeight, latentWidth);
  }

  const eps = batch === 1 ? undefined : new Float32Array(n);
  const predictionScratch = new Float32Array(batch * n);
  const noised = blend ? new Float32Array(n) : undefined;
  const plane = latentHeight * latentWidth;
  const applyBlend = (stepIndex: number): void => {
    if (!blend || !noised) return;
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

  let runMs = 0;
  let bytesCopied = 0;
  const run = async (
    session: ort.InferenceSession,
    feeds: Record<string, ort.Tensor>,
    fetches?: string[],
  ): Promise<ort.InferenceSession.ReturnType> => {
    for (const name in feeds) bytesCopied += tensorBytes(feeds[name]!);
    const started = performance.now();
    const out = fetches ? await session.run(feeds, fetches) : await session.run(feeds);
    runMs += performance.now() - started;
    for (const name in out) bytesCopied += tensorBytes(out[name]!);
    return out;
  };

  const total = scheduler.stepCount;
  const loopStarted = performance.now();
  applyBlend(0);
  for (let i = 0; i < total; i++) {
    throwIfCancelled(signal);
    const timestep = scheduler.timesteps[i]!;
    const scale = scheduler.modelInputScale(i);
    const active = isControlActive(i, total, input.controlStart, input.controlEnd) && input.controlScale !== 0;
    unetInputs.setSample(latents, scale, batch);
    unetInputs.timestep.set(timestep);
    let unetFeeds: Record<string, ort.Tensor> = unetInputs.feeds();
    if (fusedScales) {
      unetFeeds = {
        ...unetFeeds,
        ...controlFeeds,
        conditioning_scales: active ? fusedScales.active : fusedScales.inactive,
      };
    } else if (bridge && controlInputs && controlnet) {
      if (active) {
        controlInputs.setSample(latents, scale, batch);
        controlInputs.timestep.set(timestep);
        const residuals = await run(controlnet, { ...controlInputs.feeds(), ...controlFeeds });
        unetFeeds = { ...unetFeeds, ...bridge.feeds(residuals) };
      } else unetFeeds = { ...unetFeeds, ...bridge.zeroFeeds() };
    }
    const out = await run(unet, unetFeeds, ['out_sample']);
    const prediction = readFloat(out.out_sample, 'out_sample', predictionScratch);
    if (prediction.length !== batch * n) {
      throw new IirError('internal', `UNet gave ${prediction.length} values, ${batch * n} expected`);
    }
    let guided = prediction;
    if (eps && batch === 2) {
      // ε = ε_u + g(ε_c − ε_u)
      for (let j = 0; j < n; j++) {
        const u = prediction[j]!;
        eps[j] = u + guidance * (prediction[n + j]! - u);
      }
      guided = eps;
    }
    scheduler.step(guided, i, latents, rng, latents);
    applyBlend(i + 1);
    input.onStep?.({ step: i + 1, total, timestep, preview: () => latentPreview(latents, latentHeight, latentWidth) });
  }
  const elapsed = performance.now() - loopStarted;
  return { steps: total, runMs, overheadMs: elapsed - runMs, bytesCopied };
}
