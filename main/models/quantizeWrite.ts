/**
 * Writes the int8 graph of a {@link QuantizePlan}: each planned weight becomes int8 codes (in the new external
 * data file) and fp32 per-channel scales (inline), and a DequantizeLinear node gives back a float tensor under the
 * weight's own name, so the Conv or MatMul that used it is unchanged, as are the graph's inputs and outputs.
 *
 * What ONNX Runtime's CPU provider makes of it (measured with 1.30): a MatMul's DequantizeLinear is fused into
 * MatMulNBits (8 bits), which keeps the weight in int8. A Conv's is not fused: it runs on every call, and since
 * nothing orders it, ORT would dequantize every Conv weight of the network at the start of a run and hold them
 * all in fp32 at once — more memory than the fp32 model. So a Conv's scale goes through a zero computed from the
 * shape of the Conv's input (Shape → Cast → ReduceMin → ×0 → + scale): the dequantization then runs just before
 * its Conv, one fp32 weight at a time. ORT cannot fold that zero away while the input has symbolic dims.
 */
import { join } from 'node:path';
import { throwIfCancelled, type CancelSignal } from '../../shared/errors';
import type { InitializerPart } from './onnxParts';
import { externalFields, intAttribute, nodeProto } from './onnxBuild';
import { encode, fieldKey, stringField, varintField, type Field } from './protobuf';
import { DataSink, SourceData, writeNewFile } from './quantizeIo';
import { FLOAT, INT8, type QuantizePlan, type WeightPlan } from './quantizePlan';
import { quantizePerChannelAsync } from './quantizeTensor';

/** The names of the new graph's files inside its folder. */
export const GRAPH_FILE = 'model.onnx';
export const DATA_FILE = 'model.onnx_data';

export interface WrittenFile {
  /** The file's name inside the output folder. */
  readonly path: string;
  readonly bytes: number;
  readonly sha256: string;
}

export interface WriteOptions {
  /** Called with the source bytes of each initializer once it is written. */
  readonly onBytes?: (bytes: number) => void;
  readonly signal?: CancelSignal | undefined;
}

function tensor(name: string, dataType: number, dims: readonly number[], rest: Field[]): Uint8Array {
  return encode([...dims.map((d) => varintField(1, d)), varintField(2, dataType), stringField(8, name), ...rest]);
}

/** Unique names for the nodes and values the quantizer adds. */
class Names {
  private readonly used = new Set<string>();
  constructor(plan: QuantizePlan) {
    for (const n of plan.nodes) for (const v of [...n.inputs, ...n.outputs]) this.used.add(v);
    for (const i of plan.layout.initializers) this.used.add(i.name);
  }
  fresh(base: string): string {
    let name = base;
    for (let i = 1; this.used.has(name); i++) name = `${base}_${i}`;
    this.used.add(name);
    return name;
  }
}

/** Builds the nodes that dequantize each planned weight, keyed by the index of the node they must precede. */
class Dequantizers {
  readonly before = new Map<number, Uint8Array[]>();
  private readonly zeros = new Map<string, string>();
  zeroInitializer: string | undefined;

  constructor(private readonly names: Names) {}

  private add(at: number, bytes: Uint8Array): void {
    const list = this.before.get(at) ?? [];
    list.push(bytes);
    this.before.set(at, list);
  }

  /** A zero [1] that only exists once `activation` does. */
  private zeroAfter(activation: string, at: number): string {
    let zero = this.zeros.get(activation);
    if (zero) return zero;
    this.zeroInitializer ??= this.names.fresh('int8_weights/zero');
    const base = `${activation}/int8_gate`;
    const shape = this.names.fresh(`${base}/shape`);
    const float = this.names.fresh(`${base}/shape_float`);
    const least = this.names.fresh(`${base}/min`);
    zero = this.names.fresh(`${base}/zero`);
    this.add(at, nodeProto('Shape', [activation], shape));
    this.add(at, nodeProto('Cast', [shape], float, [intAttribute('to', FLOAT)]));
    this.add(at, nodeProto('ReduceMin', [float], least, [intAttribute('keepdims', 1)]));
    this.add(at, nodeProto('Mul', [least, this.zeroInitializer], zero));
    this.zeros.set(activation, zero);
    return zero;
  }

  /** The nodes that turn `codes` and `scales` back into the weight named `w.part.name`. */
  weight(w: WeightPlan, codes: string, scales: string): void {
    let scale = scales;
    if (w.op === 'Conv' && w.activation !== '') {
      scale = this.names.fresh(`${scales}/gated`);
      this.add(w.firstUse, nodeProto('Add', [scales, this.zeroAfter(w.activation, w.firstUse)], scale));
    }
    const name = this.names.fresh(`${w.part.name}/DequantizeLinear`);
    this.add(
      w.firstUse,
      nodeProto('DequantizeLinear', [codes, scale], w.part.name, [intAttribute('axis', w.axis)], name),
    );
  }
}

/** Writes one initializer's data (quantized or copied) to `sink`; returns the new TensorProto(s). */
async function rewriteInitializer(
  part: InitializerPart,
  weight: WeightPlan | undefined,
  io: { source: SourceData; sink: DataSink; names: Names; dequantizers: Dequantizers },
): Promise<Uint8Array[]> {
  const { source, sink } = io;
  if (!weight) {
    if (!part.data) return [encode([...part.fields, stringField(8, part.name)])];
    const offset = sink.offset;
    await source.stream(part.data, (chunk) => sink.write(chunk));
    return [
      encode([...part.fields, stringField(8, part.name), ...externalFields(DATA_FILE, offset, part.data.length)]),
    ];
  }
  const count = weight.dims.reduce((a, b) => a * b, 1);
  const { codes, scales } = await quantizePerChannelAsync(await source.floats(part, count), weight);
  const codesName = io.names.fresh(`${part.name}_int8`);
  const scalesName = io.names.fresh(`${part.name}_scale`);
  const offset = sink.offset;
  await sink.write(new Uint8Array(codes.buffer, codes.byteOffset, codes.byteLength));
  io.dequantizers.weight(weight, codesName, scalesName);
  const scaleBytes = new Uint8Array(scales.buffer, scales.byteOffset, scales.byteLength);
  return [
    tensor(codesName, INT8, weight.dims, externalFields(DATA_FILE, offset, codes.byteLength)),
    tensor(scalesName, FLOAT, [scales.length], [{ key: fieldKey(9, 2), value: scaleBytes }]),
  ];
}

function modelBytes(plan: QuantizePlan, nodes: readonly Uint8Array[], initializers: readonly Uint8Array[]): Uint8Array {
  const graph = encode([
    ...nodes.map((value) => ({ key: fieldKey(1, 2), value })),
    ...plan.layout.graphFields,
    ...initializers.map((value) => ({ key: fieldKey(5, 2), value })),
  ]);
  return encode([...plan.layout.modelFields, { key: fieldKey(7, 2), value: graph }]);
}

/**
 * Writes `model.onnx` and `model.onnx_data` of the quantized graph into `outDir` (which must not hold them yet),
 * one initializer at a time. On failure the files written so far stay for the caller to remove with the folder.
 */
export async function writeQuantized(
  plan: QuantizePlan,
  outDir: string,
  options: WriteOptions = {},
): Promise<WrittenFile[]> {
  const names = new Names(plan);
  const dequantizers = new Dequantizers(names);
  const source = new SourceData();
  const sink = await DataSink.create(join(outDir, DATA_FILE));
  const initializers: Uint8Array[] = [];
  let data;
  try {
    for (const part of plan.layout.initializers) {
      throwIfCancelled(options.signal);
      const io = { source, sink, names, dequantizers };
      initializers.push(...(await rewriteInitializer(part, plan.weights.get(part.name), io)));
      options.onBytes?.(part.data?.length ?? 0);
    }
    data = await sink.finish();
  } catch (error) {
    await sink.abandon();
    throw error;
  } finally {
    await source.close();
  }
  if (dequantizers.zeroInitializer !== undefined) {
    const zero = [{ key: fieldKey(9, 2), value: new Uint8Array(4) }];
    initializers.push(tensor(dequantizers.zeroInitializer, FLOAT, [1], zero));
  }
  const nodes = plan.layout.nodes.flatMap((bytes, i) => [...(dequantizers.before.get(i) ?? []), bytes]);
  const graph = await writeNewFile(join(outDir, GRAPH_FILE), modelBytes(plan, nodes, initializers));
  return [
    { path: GRAPH_FILE, ...graph },
    { path: DATA_FILE, ...data },
  ];
}
