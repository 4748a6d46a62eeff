/**
 * An ONNX file read as parts for rewriting, without loading its weights: nodes, declared inputs and outputs, opset
 * imports, and initializers whose bytes are located (file, offset, length) rather than read — whether they sit in
 * an external data file or inline in the model file itself (a protobuf `raw_data` field is contiguous bytes).
 */
import { dirname, join } from 'node:path';
import { type FileReader, withOnnxReader } from './onnxHeader';
import { fieldKey, type Field } from './protobuf';

/** Where an initializer's bytes are: an absolute file path, a byte offset and a length. */
export interface DataLocation {
  readonly file: string;
  readonly offset: number;
  readonly length: number;
}

export interface InitializerPart {
  readonly name: string;
  /** TensorProto fields other than its name and data location (dims, data_type, small inline data). */
  readonly fields: readonly Field[];
  /** Undefined when the data is small and kept in `fields`. */
  readonly data?: DataLocation;
}

export interface OnnxParts {
  readonly irVersion: number;
  readonly opsets: ReadonlyMap<string, number>;
  readonly nodes: readonly Uint8Array[];
  readonly inputs: readonly Uint8Array[];
  readonly outputs: readonly Uint8Array[];
  readonly initializers: readonly InitializerPart[];
}

/** Inline data of at least this many bytes is referenced in place instead of copied. */
const referenceMinBytes = 1024;

/** Reads the value of a field whose key was just read (a length-delimited value without its length). */
export async function readField(r: FileReader, key: number): Promise<Field> {
  const wire = key % 8;
  if (wire === 2) return { key, value: await r.bytes(await r.varint()) };
  const start = r.pos;
  await r.skipField(wire);
  const end = r.pos;
  r.pos = start;
  return { key, value: await r.bytes(end - start) };
}

function parseEntry(buf: Uint8Array): [string, string] {
  const decoder = new TextDecoder();
  const out: [string, string] = ['', ''];
  let pos = 0;
  while (pos < buf.length) {
    const key = buf[pos++]!;
    const length = buf[pos++]!; // short strings: one-byte lengths (location names, offsets)
    if (length > 127) throw new Error('long external data entry');
    const text = decoder.decode(buf.subarray(pos, pos + length));
    pos += length;
    out[key >> 3 === 1 ? 0 : 1] = text;
  }
  return out;
}

/** Reads one TensorProto (ending at `end`) of the model at `file`, locating its bytes rather than reading them. */
export async function readInitializer(r: FileReader, end: number, file: string): Promise<InitializerPart> {
  let name = '';
  const kept: Field[] = [];
  let data: DataLocation | undefined;
  const external: Record<string, string> = {};
  while (r.pos < end) {
    const key = await r.varint();
    if (key === fieldKey(9, 2) || key === fieldKey(4, 2)) {
      // raw_data, or packed float_data (the same little-endian bytes for float tensors)
      const length = await r.varint();
      if (length >= referenceMinBytes) {
        data = { file, offset: r.pos, length };
        r.skip(length);
      } else kept.push({ key, value: await r.bytes(length) });
    } else if (key === fieldKey(8, 2)) name = (await r.bytes(await r.varint())).toString('utf8');
    else if (key === fieldKey(13, 2)) {
      const [k, v] = parseEntry(await r.bytes(await r.varint()));
      external[k] = v;
    } else if (key === fieldKey(14, 0)) await r.varint();
    else kept.push(await readField(r, key));
  }
  if (external.location !== undefined) {
    const offset = Number(external.offset ?? 0);
    const length = Number(external.length ?? NaN);
    if (!Number.isFinite(length)) throw new Error(`initializer ${name}: external data without a length`);
    data = { file: join(dirname(file), external.location), offset, length };
  }
  return { name, fields: kept, ...(data ? { data } : {}) };
}

async function readGraph(r: FileReader, end: number, file: string) {
  const nodes: Uint8Array[] = [];
  const inputs: Uint8Array[] = [];
  const outputs: Uint8Array[] = [];
  const initializers: InitializerPart[] = [];
  while (r.pos < end) {
    const key = await r.varint();
    if (key === fieldKey(1, 2)) nodes.push(await r.bytes(await r.varint()));
    else if (key === fieldKey(11, 2)) inputs.push(await r.bytes(await r.varint()));
    else if (key === fieldKey(12, 2)) outputs.push(await r.bytes(await r.varint()));
    else if (key === fieldKey(5, 2)) {
      const length = await r.varint();
      initializers.push(await readInitializer(r, r.pos + length, file));
    } else await r.skipField(key % 8);
  }
  return { nodes, inputs, outputs, initializers };
}

function parseOpset(buf: Buffer): [string, number] {
  let domain = '';
  let version = 0;
  let pos = 0;
  while (pos < buf.length) {
    const key = buf[pos++]!;
    if (key === fieldKey(1, 2)) {
      const length = buf[pos++]!;
      domain = buf.subarray(pos, pos + length).toString('utf8');
      pos += length;
    } else if (key === fieldKey(2, 0)) {
      version = 0;
      for (let scale = 1; ; scale *= 128) {
        const b = buf[pos++]!;
        version += (b & 0x7f) * scale;
        if ((b & 0x80) === 0) break;
      }
    } else throw new Error('unexpected opset field');
  }
  return [domain, version];
}

/** Reads `file` as {@link OnnxParts}. */
export async function readOnnxParts(file: string): Promise<OnnxParts> {
  return withOnnxReader(file, async (r) => {
    const { size } = r;
    let irVersion = 8;
    const opsets = new Map<string, number>();
    let graph: Awaited<ReturnType<typeof readGraph>> | undefined;
    while (r.pos < size) {
      const key = await r.varint();
      if (key === fieldKey(1, 0)) irVersion = await r.varint();
      else if (key === fieldKey(8, 2)) {
        const [domain, version] = parseOpset(await r.bytes(await r.varint()));
        opsets.set(domain, version);
      } else if (key === fieldKey(7, 2)) {
        const length = await r.varint();
        graph = await readGraph(r, r.pos + length, file);
      } else await r.skipField(key % 8);
    }
    if (!graph) throw new Error('no graph');
    return { irVersion, opsets, ...graph };
  });
}
