/**
 * The denoising loop's model inputs, allocated once and rewritten in place every step: the UNet/ControlNet step
 * inputs (sample, timestep, text, LCM guidance embedding) and the control path — the split ControlNet's residuals
 * bridged into the residual UNet, or the fused UNet's control images and per-ControlNet scales. Every scalar-like
 * input is shaped from its declared rank (models.md: exporters disagree).
 */
import ort from 'onnxruntime-node';
import { IirError } from '../../shared/errors';
import type { ControlTensor } from '../../shared/image/control';
import type { RunnableModel } from './modelRun';
import {
  FloatInput,
  ScalarInput,
  filledTensor,
  findInput,
  fixedDim,
  readFloat,
  requireInput,
  scalarDims,
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

/** What the step inputs are built from. */
export interface StepInputSource {
  /** Text conditioning [batch, 77, D]. */
  readonly text: Float32Array;
  readonly batch: 1 | 2;
  /** LCM guidance embedding [batch, 256], for UNets that take `timestep_cond`. */
  readonly timestepCond?: Float32Array;
}

/** Inputs shared by the UNet and the ControlNet that change per step: sample and timestep (+ fixed text). */
export class StepInputs {
  readonly sample: FloatInput;
  readonly timestep: ScalarInput;
  readonly hidden: FloatInput;
  readonly timestepCond: FloatInput | undefined;

  constructor(session: ort.InferenceSession, what: string, input: StepInputSource, sampleDims: number[]) {
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

  /** Writes the scaled latents into every batch item and the timestep. */
  set(latents: Float32Array, scale: number, batch: number, timestep: number): void {
    const values = this.sample.values;
    const n = latents.length;
    for (let j = 0; j < n; j++) values[j] = latents[j]! * scale;
    for (let b = 1; b < batch; b++) values.copyWithin(b * n, 0, n);
    this.timestep.set(timestep);
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
export class ResidualBridge {
  private readonly specs: TensorSpec[];
  private readonly converters = new Map<string, FloatInput>();
  private zeros: Record<string, ort.Tensor> | undefined;

  constructor(
    unet: ort.InferenceSession,
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

  /**
   * The ControlNet's outputs as UNet feeds: the same tensors when the dtypes agree (GPU buffers stay on the device
   * when the UNet runs there too); otherwise read back and converted.
   */
  async feeds(outputs: Record<string, ort.Tensor>, unetOnDevice: boolean): Promise<Record<string, ort.Tensor>> {
    const feeds: Record<string, ort.Tensor> = {};
    for (const [i, spec] of this.specs.entries()) {
      const out = outputs[spec.name];
      if (!out) throw new IirError('model_missing', `the ControlNet gave no "${spec.name}"`);
      const onHost = out.location === 'cpu' || out.location === 'cpu-pinned';
      if (out.type === spec.type && (onHost || unetOnDevice)) {
        feeds[spec.name] = out;
        continue;
      }
      const host = onHost ? out : new ort.Tensor(out.type, await out.getData(true), out.dims);
      let converter = this.converters.get(spec.name);
      if (!converter) {
        converter = new FloatInput(spec, this.dims(i), 'residual UNet');
        this.converters.set(spec.name, converter);
      }
      const values = readFloat(host, spec.name, converter.type === 'float32' ? converter.values : undefined);
      if (values !== converter.values) converter.values.set(values);
      feeds[spec.name] = converter.sync();
    }
    return feeds;
  }
}

/** What the control path needs each step. */
export interface ControlStep {
  readonly latents: Float32Array;
  readonly scale: number;
  readonly timestep: number;
  /** The ControlNet is applied on this step (guidance window, non-zero scale). */
  readonly active: boolean;
  /** The last step: the arenas may give their memory back afterwards. */
  readonly last: boolean;
}

/** Runs a model and counts the bytes crossing JS (see denoise.ts); `shrink` on the last step frees the arena. */
export type ModelRunner = (
  model: RunnableModel,
  what: string,
  feeds: Record<string, ort.Tensor>,
  fetches?: readonly string[],
  shrink?: boolean,
) => Promise<ort.InferenceSession.ReturnType>;

/** The UNet feeds that carry the control: the fused UNet's inputs, or the split ControlNet's residuals. */
export interface ControlPath {
  feeds(step: ControlStep, run: ModelRunner): Promise<Record<string, ort.Tensor>>;
  /** Frees what the last step left on the device (after the UNet has used it). */
  endStep(): void;
}

/** A model and the provider it runs on (a {@link LoadedSession} fits). */
export interface DeviceModel extends RunnableModel {
  readonly provider?: string;
}

/** What a control path is built from. */
export interface ControlSource extends StepInputSource {
  readonly control: ControlTensor;
  readonly controlScale: number;
  readonly latentHeight: number;
  readonly latentWidth: number;
}

/** diffusers' fused UNet + ControlNet: `controlnet_conds` [N,B,C,H,W] and `conditioning_scales` ([N] or [N,1]). */
function fusedPath(unet: ort.InferenceSession, source: ControlSource): ControlPath {
  const { batch } = source;
  const [, channels, height, width] = source.control.shape;
  const values = batch === 1 ? (source.control.data as Float32Array<ArrayBuffer>) : repeatBatch(source.control.data, 2);
  const condSpec = requireInput(unet, 'controlnet_conds', 'fused UNet');
  const cond = new FloatInput(condSpec, [1, batch, channels, height, width], 'fused UNet', values).sync();
  const scaleSpec = requireInput(unet, 'conditioning_scales', 'fused UNet');
  const dims = scalarDims(scaleSpec, 1);
  const active = filledTensor(scaleSpec, source.controlScale, dims);
  const inactive = filledTensor(scaleSpec, 0, dims);
  return {
    feeds: (step) => Promise.resolve({ controlnet_conds: cond, conditioning_scales: step.active ? active : inactive }),
    endStep: () => undefined,
  };
}

/**
 * A ControlNet fused with the residual UNet at install time (`models fuse`): the split ControlNet's own inputs,
 * `controlnet_cond` [B,C,H,W] and `conditioning_scale`. Its residuals come out pre-scaled, so scale 0 gives the
 * zero residuals of a step outside the guidance window.
 */
function mergedPath(unet: ort.InferenceSession, source: ControlSource): ControlPath {
  const { batch } = source;
  const [, channels, height, width] = source.control.shape;
  const values = batch === 1 ? (source.control.data as Float32Array<ArrayBuffer>) : repeatBatch(source.control.data, 2);
  const condSpec = requireInput(unet, 'controlnet_cond', 'fused ControlNet + UNet');
  const cond = new FloatInput(condSpec, [batch, channels, height, width], 'fused ControlNet + UNet', values).sync();
  const scaleSpec = requireInput(unet, 'conditioning_scale', 'fused ControlNet + UNet');
  const active = filledTensor(scaleSpec, source.controlScale, scalarDims(scaleSpec, 1));
  const inactive = filledTensor(scaleSpec, 0, scalarDims(scaleSpec, 1));
  return {
    feeds: (step) => Promise.resolve({ controlnet_cond: cond, conditioning_scale: step.active ? active : inactive }),
    endStep: () => undefined,
  };
}

/** The split form: a ControlNet session whose 13 residuals feed the residual UNet. */
function splitPath(unet: DeviceModel, controlnet: RunnableModel, source: ControlSource): ControlPath {
  const { batch, latentHeight, latentWidth } = source;
  const session = controlnet.session;
  const [, channels, height, width] = source.control.shape;
  const inputs = new StepInputs(session, 'ControlNet', source, [batch, 4, latentHeight, latentWidth]);
  const values = batch === 1 ? (source.control.data as Float32Array<ArrayBuffer>) : repeatBatch(source.control.data, 2);
  const condSpec = requireInput(session, 'controlnet_cond', 'ControlNet');
  const scaleSpec = requireInput(session, 'conditioning_scale', 'ControlNet');
  const fixed = {
    controlnet_cond: new FloatInput(condSpec, [batch, channels, height, width], 'ControlNet', values).sync(),
    conditioning_scale: filledTensor(scaleSpec, source.controlScale, scalarDims(scaleSpec, 1)),
  };
  const bridge = new ResidualBridge(unet.session, batch, latentHeight, latentWidth);
  const unetOnDevice = unet.provider === 'webgpu';
  let onDevice: ort.Tensor[] = [];
  return {
    async feeds(step, run) {
      if (!step.active) return bridge.zeroFeeds();
      inputs.set(step.latents, step.scale, batch, step.timestep);
      const residuals = await run(controlnet, 'ControlNet', { ...inputs.feeds(), ...fixed }, undefined, step.last);
      onDevice = Object.values(residuals).filter((t) => t.location === 'gpu-buffer');
      return bridge.feeds(residuals, unetOnDevice);
    },
    endStep() {
      for (const tensor of onDevice) tensor.dispose();
      onDevice = [];
    },
  };
}

/** The control path of a UNet: fused when it takes `controlnet_conds`, else split through `controlnet`. */
export function controlPath(
  unet: DeviceModel,
  controlnet: RunnableModel | undefined,
  source: ControlSource,
): ControlPath {
  if (findInput(unet.session, 'controlnet_conds')) return fusedPath(unet.session, source);
  if (findInput(unet.session, 'controlnet_cond')) return mergedPath(unet.session, source);
  if (!controlnet) throw new IirError('internal', 'a split model set needs a ControlNet session');
  return splitPath(unet, controlnet, source);
}
