/**
 * The protobuf rewrites that make an fp16 ONNX graph fp32 (see widenModel.ts): float16 element types of the
 * graph's inputs, outputs and value_info become float32, `Cast(to=FLOAT16)` becomes `Cast(to=FLOAT)` (as do the
 * `dtype` attributes of ops that make tensors), and the tensors inside `Constant` / `ConstantOfShape` attributes
 * are converted value by value (fp16 → fp32 is exact). Initializers are streamed by widenWrite.ts.
 */
import { float16ToFloat32 } from '../engine/float16';
import { invalidArgument } from '../../shared/errors';
import { encode, fieldKey, fields, varintField, varintValue, type Field } from './protobuf';
import { FLOAT, FLOAT16 } from './quantizePlan';
import { tensorShape, type OnnxModelLayout } from './quantizeRead';

const decoder = new TextDecoder();

/** Graph fields holding ValueInfoProtos: input, output, value_info. */
const valueInfoKeys = new Set([fieldKey(11, 2), fieldKey(12, 2), fieldKey(13, 2)]);

/** float16 bit patterns (little-endian bytes) as float32 little-endian bytes. */
export function widenHalfBytes(bytes: Uint8Array): Uint8Array {
  if (bytes.length % 2 !== 0) throw new Error('float16 data of an odd number of bytes');
  const aligned = bytes.byteOffset % 2 === 0 ? bytes : new Uint8Array(bytes); // a copy (a Buffer's slice is a view)
  const halves = new Uint16Array(aligned.buffer, aligned.byteOffset, aligned.length / 2);
  const floats = float16ToFloat32(halves);
  return new Uint8Array(floats.buffer, floats.byteOffset, floats.byteLength);
}

/** Varints of a packed repeated field. */
function packedVarints(packed: Uint8Array): number[] {
  const out: number[] = [];
  let value = 0;
  let scale = 1;
  for (const b of packed) {
    value += (b & 0x7f) * scale;
    scale *= 128;
    if ((b & 0x80) !== 0) continue;
    out.push(value);
    value = 0;
    scale = 1;
  }
  return out;
}

/** The values of a TensorProto's `int32_data` (packed or not): fp16 bit patterns, as two bytes each. */
function int32DataHalves(list: readonly Field[]): Uint8Array {
  const values = list.flatMap((f) => (f.key === fieldKey(5, 0) ? [varintValue(f.value)] : packedVarints(f.value)));
  const out = new Uint8Array(values.length * 2);
  const view = new DataView(out.buffer);
  values.forEach((v, i) => view.setUint16(i * 2, v & 0xffff, true));
  return out;
}

/** TensorProto fields without data_type, raw_data and int32_data; the fp16 data as fp32 bytes, if inline. */
export function splitHalfTensor(list: readonly Field[]): { rest: Field[]; floats: Uint8Array | undefined } {
  const raw = list.find((f) => f.key === fieldKey(9, 2));
  const ints = list.filter((f) => f.key === fieldKey(5, 2) || f.key === fieldKey(5, 0));
  const dataKeys = new Set([fieldKey(2, 0), fieldKey(9, 2), fieldKey(5, 2), fieldKey(5, 0)]);
  const rest = list.filter((f) => !dataKeys.has(f.key));
  if (raw) return { rest, floats: widenHalfBytes(raw.value) };
  if (ints.length > 0) return { rest, floats: widenHalfBytes(int32DataHalves(ints)) };
  return { rest, floats: undefined };
}

/** An inline TensorProto (an attribute's value) as fp32 when it is fp16; null when it needs no change. */
function widenInlineTensor(bytes: Uint8Array): Uint8Array | null {
  const list = fields(bytes);
  if (tensorShape({ name: '', fields: list }).dataType !== FLOAT16) return null;
  if (list.some((f) => f.key === fieldKey(13, 2))) throw new Error('a constant with external data');
  const { rest, floats } = splitHalfTensor(list);
  const data: Field[] = floats ? [{ key: fieldKey(9, 2), value: floats }] : [];
  return encode([...rest, varintField(2, FLOAT), ...data]);
}

/** One AttributeProto, widened where it names or holds fp16 (null when unchanged). */
function widenAttribute(bytes: Uint8Array, opType: string): Uint8Array | null {
  const list = fields(bytes);
  const name = decoder.decode(list.find((f) => f.key === fieldKey(1, 2))?.value ?? new Uint8Array());
  let changed = false;
  const out = list.map((f): Field => {
    if (f.key === fieldKey(6, 2) || f.key === fieldKey(11, 2)) {
      throw invalidArgument(
        `a ${opType || 'custom'} node holds a subgraph; graphs with control flow cannot be widened`,
      );
    }
    const typeAttr = (name === 'to' && (opType === 'Cast' || opType === 'EyeLike')) || name === 'dtype';
    if (f.key === fieldKey(3, 0) && typeAttr && varintValue(f.value) === FLOAT16) {
      changed = true;
      return varintField(3, FLOAT);
    }
    if (f.key === fieldKey(5, 2) || f.key === fieldKey(10, 2)) {
      const widened = widenInlineTensor(f.value);
      if (widened) {
        changed = true;
        return { key: f.key, value: widened };
      }
    }
    return f;
  });
  return changed ? encode(out) : null;
}

/** A NodeProto with its fp16 attributes widened (the same bytes when it has none). */
export function widenNode(bytes: Uint8Array): { bytes: Uint8Array; changed: boolean } {
  const list = fields(bytes);
  const opType = decoder.decode(list.find((f) => f.key === fieldKey(4, 2))?.value ?? new Uint8Array());
  const domain = decoder.decode(list.find((f) => f.key === fieldKey(7, 2))?.value ?? new Uint8Array());
  const standard = domain === '' || domain === 'ai.onnx';
  let changed = false;
  const out = list.map((f): Field => {
    if (f.key !== fieldKey(5, 2)) return f;
    const widened = widenAttribute(f.value, standard ? opType : '');
    if (!widened) return f;
    changed = true;
    return { key: f.key, value: widened };
  });
  return changed ? { bytes: encode(out), changed } : { bytes, changed };
}

/** A TypeProto (or TypeProto.Tensor, `depth` 1) with fp16 tensor element types made fp32. */
function widenType(bytes: Uint8Array, depth: number): Uint8Array | null {
  const list = fields(bytes);
  let changed = false;
  const out = list.map((f): Field => {
    if (depth === 1 && f.key === fieldKey(1, 0) && varintValue(f.value) === FLOAT16) {
      changed = true;
      return varintField(1, FLOAT);
    }
    if (depth === 0 && f.key === fieldKey(1, 2)) {
      const widened = widenType(f.value, 1);
      if (widened) {
        changed = true;
        return { key: f.key, value: widened };
      }
    }
    return f;
  });
  return changed ? encode(out) : null;
}

/** A ValueInfoProto with an fp16 tensor type made fp32 (null when unchanged). */
function widenValueInfo(bytes: Uint8Array): Uint8Array | null {
  const list = fields(bytes);
  let changed = false;
  const out = list.map((f): Field => {
    const widened = f.key === fieldKey(2, 2) ? widenType(f.value, 0) : null;
    if (!widened) return f;
    changed = true;
    return { key: f.key, value: widened };
  });
  return changed ? encode(out) : null;
}

/** The graph's fields other than nodes and initializers, with fp16 value types made fp32. */
export function widenGraphFields(layout: OnnxModelLayout): { fields: Field[]; changed: number } {
  let changed = 0;
  const out = layout.graphFields.map((f): Field => {
    const widened = valueInfoKeys.has(f.key) ? widenValueInfo(f.value) : null;
    if (!widened) return f;
    changed++;
    return { key: f.key, value: widened };
  });
  return { fields: out, changed };
}

/** What of a graph is fp16: initializers (and their parameters), and other places (values, casts, constants). */
export interface HalfCensus {
  readonly initializers: number;
  readonly params: number;
  readonly others: number;
}

/** Counts what {@link widenNode} and {@link widenGraphFields} would change, and the fp16 initializers. */
export function halfCensus(layout: OnnxModelLayout): HalfCensus {
  let initializers = 0;
  let params = 0;
  for (const part of layout.initializers) {
    const { dataType, dims } = tensorShape(part);
    if (dataType !== FLOAT16) continue;
    initializers++;
    params += dims.reduce((a, b) => a * b, 1);
  }
  const nodes = layout.nodes.filter((n) => widenNode(n).changed).length;
  return { initializers, params, others: nodes + widenGraphFields(layout).changed };
}
