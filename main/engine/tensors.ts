/**
 * Tensor adaptation from session metadata (models.md): exporters agree on tensor names but not on dtypes or ranks,
 * so every input is built from what the loaded session declares — ids int32/int64, float IO fp32/fp16, timestep as
 * a 0-d scalar, [1] or [B] in float32/float16/int64, `conditioning_scale` double or float.
 *
 * Buffers are allocated once per shape and reused every step; float16 IO converts through a preallocated buffer.
 */
import ort from 'onnxruntime-node';
import { IirError } from '../../shared/errors';
import { float16ToFloat32, float32ToFloat16, toFloat16Bits } from './float16';

/** What a session declares about one tensor. */
export interface TensorSpec {
  readonly name: string;
  readonly type: ort.Tensor.Type;
  /** Numbers for fixed dims, strings for symbolic ones; [] for a 0-d scalar (or an undeclared shape). */
  readonly shape: readonly (number | string)[];
}

function toSpec(meta: ort.InferenceSession.ValueMetadata): TensorSpec | undefined {
  return meta.isTensor ? { name: meta.name, type: meta.type, shape: meta.shape } : undefined;
}

/** The declared input `name` of `session`, or undefined. */
export function findInput(session: ort.InferenceSession, name: string): TensorSpec | undefined {
  const meta = session.inputMetadata.find((m) => m.name === name);
  return meta ? toSpec(meta) : undefined;
}

/** The declared output `name` of `session`, or undefined. */
export function findOutput(session: ort.InferenceSession, name: string): TensorSpec | undefined {
  const meta = session.outputMetadata.find((m) => m.name === name);
  return meta ? toSpec(meta) : undefined;
}

/** The declared input `name`; a model without it is not the model the folder claims to hold. */
export function requireInput(session: ort.InferenceSession, name: string, what: string): TensorSpec {
  const spec = findInput(session, name);
  if (!spec) {
    const names = session.inputNames.join(', ');
    throw new IirError('model_missing', `${what} has no input "${name}" (it takes ${names}); is it the right model?`);
  }
  return spec;
}

/** The declared output `name` (see {@link requireInput}). */
export function requireOutput(session: ort.InferenceSession, name: string, what: string): TensorSpec {
  const spec = findOutput(session, name);
  if (!spec) {
    const names = session.outputNames.join(', ');
    throw new IirError('model_missing', `${what} has no output "${name}" (it gives ${names}); is it the right model?`);
  }
  return spec;
}

function checkFloat(spec: TensorSpec, what: string): 'float32' | 'float16' {
  if (spec.type === 'float32' || spec.type === 'float16') return spec.type;
  throw new IirError('model_missing', `${what}: "${spec.name}" is ${spec.type}; float32 or float16 expected`);
}

/** Bytes per element of the tensor types the engine creates. */
export function bytesPerElement(type: ort.Tensor.Type): number {
  switch (type) {
    case 'float16':
      return 2;
    case 'float64':
    case 'int64':
    case 'uint64':
      return 8;
    case 'int8':
    case 'uint8':
    case 'bool':
      return 1;
    default:
      return 4;
  }
}

/**
 * A float input with a fixed shape, reused across runs: write float32 values into {@link FloatInput.values}, then
 * pass {@link FloatInput.tensor} (for float16 inputs, {@link FloatInput.sync} converts into the tensor's buffer).
 */
export class FloatInput {
  readonly values: Float32Array<ArrayBuffer>;
  readonly tensor: ort.Tensor;
  readonly type: 'float32' | 'float16';
  private readonly bits: Uint16Array | undefined;

  constructor(spec: TensorSpec, dims: readonly number[], what: string, values?: Float32Array<ArrayBuffer>) {
    this.type = checkFloat(spec, what);
    const size = dims.reduce((a, b) => a * b, 1);
    this.values = values ?? new Float32Array(size);
    if (this.values.length !== size) throw new IirError('internal', `${spec.name}: ${this.values.length} ≠ ${size}`);
    if (this.type === 'float16') {
      this.bits = new Uint16Array(size);
      this.tensor = new ort.Tensor('float16', this.bits, dims);
    } else {
      this.bits = undefined;
      this.tensor = new ort.Tensor('float32', this.values, dims);
    }
  }

  /** Makes the tensor hold {@link FloatInput.values} (a conversion for float16, nothing for float32). */
  sync(): ort.Tensor {
    if (this.bits) float32ToFloat16(this.values, this.bits);
    return this.tensor;
  }

  get byteLength(): number {
    return this.values.length * (this.type === 'float16' ? 2 : 4);
  }
}

/**
 * A float output as float32: the tensor's own array for float32 (no copy), else converted into `scratch`
 * (allocated when missing or the wrong size).
 */
export function readFloat(tensor: ort.Tensor | undefined, name: string, scratch?: Float32Array): Float32Array {
  if (!tensor) throw new IirError('internal', `the model returned no "${name}"`);
  if (tensor.type === 'float32') return tensor.data as Float32Array;
  if (tensor.type === 'float16') {
    const bits = tensor.data as Uint16Array;
    const out = scratch && scratch.length === bits.length ? scratch : new Float32Array(bits.length);
    return float16ToFloat32(bits, out);
  }
  throw new IirError('model_missing', `output "${name}" is ${tensor.type}; float32 or float16 expected`);
}

/**
 * The dims of a scalar-like input (one value per batch item or per ControlNet), from its declared rank: 0-d → [],
 * [1] → [1], [B] → [lead], [N,1] → [lead,1]. A symbolic first dim takes `lead`, later symbolic dims 1, and fixed
 * dims keep their size (a model that wants another count then fails with a model error naming the input).
 */
export function scalarDims(spec: TensorSpec, lead: number): number[] {
  return spec.shape.map((d, i) => (typeof d === 'number' && d > 0 ? d : i === 0 ? lead : 1));
}

/** The dims a 1-element-per-batch input takes (`timestep`): 0-d scalar, [1], [B] or [B,1], as declared. */
export function perBatchDims(spec: TensorSpec, batch: number): number[] {
  return scalarDims(spec, batch);
}

/** A tensor of `spec`'s type filled with `value` (ints are rounded), with the given dims. */
export function filledTensor(spec: TensorSpec, value: number, dims: readonly number[]): ort.Tensor {
  const size = dims.reduce((a, b) => a * b, 1);
  switch (spec.type) {
    case 'float32':
      return new ort.Tensor('float32', new Float32Array(size).fill(value), dims);
    case 'float64':
      return new ort.Tensor('float64', new Float64Array(size).fill(value), dims);
    case 'float16':
      return new ort.Tensor('float16', new Uint16Array(size).fill(toFloat16Bits(value)), dims);
    case 'int64':
      return new ort.Tensor('int64', new BigInt64Array(size).fill(BigInt(Math.round(value))), dims);
    case 'int32':
      return new ort.Tensor('int32', new Int32Array(size).fill(Math.round(value)), dims);
    default:
      throw new IirError('model_missing', `input "${spec.name}" is ${spec.type}; a number type was expected`);
  }
}

/**
 * A reusable per-batch scalar input (the UNet `timestep`): its value changes every step without reallocating.
 */
export class ScalarInput {
  readonly tensor: ort.Tensor;

  constructor(
    private readonly spec: TensorSpec,
    batch: number,
  ) {
    this.tensor = filledTensor(spec, 0, perBatchDims(spec, batch));
  }

  set(value: number): ort.Tensor {
    const data = this.tensor.data;
    if (data instanceof BigInt64Array) data.fill(BigInt(Math.round(value)));
    else if (data instanceof Uint16Array) data.fill(toFloat16Bits(value));
    else if (data instanceof Int32Array) data.fill(Math.round(value));
    else (data as Float32Array | Float64Array).fill(value);
    return this.tensor;
  }

  get byteLength(): number {
    return this.tensor.size * bytesPerElement(this.spec.type);
  }
}

/** Token ids [B, 77] as the text encoder declares them (int32 or int64). */
export function idsTensor(spec: TensorSpec, ids: readonly number[], dims: readonly number[]): ort.Tensor {
  if (spec.type === 'int64')
    return new ort.Tensor(
      'int64',
      BigInt64Array.from(ids, (v) => BigInt(v)),
      dims,
    );
  if (spec.type === 'int32') return new ort.Tensor('int32', Int32Array.from(ids), dims);
  throw new IirError('model_missing', `text encoder input "${spec.name}" is ${spec.type}; int32 or int64 expected`);
}

/**
 * LCM's guidance embedding (diffusers `get_guidance_scale_embedding`): w = (guidance − 1)·1000, then
 * [sin(w·f_k), cos(w·f_k)] with f_k = exp(−k·ln(10000)/(d/2 − 1)), k < d/2. Returns `batch` copies, [batch, d].
 */
export function guidanceEmbedding(guidance: number, dim: number, batch: number): Float32Array {
  const half = dim / 2;
  const w = (guidance - 1) * 1000;
  const step = Math.log(10000) / (half - 1);
  const one = new Float32Array(dim);
  for (let k = 0; k < half; k++) {
    const arg = w * Math.exp(-k * step);
    one[k] = Math.sin(arg);
    one[half + k] = Math.cos(arg);
  }
  const out = new Float32Array(dim * batch);
  for (let b = 0; b < batch; b++) out.set(one, b * dim);
  return out;
}

/** A fixed dim of a declared shape, or `fallback` when it is symbolic. */
export function fixedDim(spec: TensorSpec, index: number, fallback: number): number {
  const d = spec.shape[index];
  return typeof d === 'number' && d > 0 ? d : fallback;
}
