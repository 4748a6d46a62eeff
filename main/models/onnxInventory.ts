/**
 * What an ONNX file's main graph is made of, read without loading its weights: the operator types of its nodes and
 * the external data files its initializers point at (`weights.pb`, `model.onnx_data`, …). The engine uses it to
 * hash every file a graph loads and to find operators that make a run non-deterministic (RandomNormalLike in a VAE
 * encoder). Nodes of subgraphs (If/Loop bodies) and functions are not listed.
 */
import { type FileReader, withOnnxReader } from './onnxHeader';

export interface OnnxInventory {
  /** Operator types of the main graph's nodes, each once, sorted. */
  readonly opTypes: readonly string[];
  /** External data locations of the initializers (relative to the model's folder), each once, sorted. */
  readonly externalFiles: readonly string[];
}

/** Reads a length-delimited string field's value. */
async function readString(r: FileReader): Promise<string> {
  return (await r.bytes(await r.varint())).toString('utf8');
}

/** NodeProto: op_type is field 4. */
async function nodeOpType(r: FileReader, end: number): Promise<string | undefined> {
  let opType: string | undefined;
  while (r.pos < end) {
    const key = await r.varint();
    if (key === (4 << 3) + 2) opType = await readString(r);
    else await r.skipField(key % 8);
  }
  return opType;
}

/** StringStringEntryProto (key = 1, value = 2) from a small buffer. */
function entry(buf: Buffer): { key: string; value: string } {
  const out = { key: '', value: '' };
  let pos = 0;
  const varint = (): number => {
    let result = 0;
    let scale = 1;
    for (;;) {
      const b = buf[pos++];
      if (b === undefined) throw new Error('truncated');
      result += (b & 0x7f) * scale;
      if ((b & 0x80) === 0) return result;
      scale *= 128;
    }
  };
  while (pos < buf.length) {
    const key = varint();
    if (key % 8 !== 2) throw new Error('bad external data entry');
    const length = varint();
    const text = buf.subarray(pos, pos + length).toString('utf8');
    pos += length;
    if (key >> 3 === 1) out.key = text;
    else if (key >> 3 === 2) out.value = text;
  }
  return out;
}

/** TensorProto: external_data (field 13) entries; the location one names the file. */
async function tensorLocation(r: FileReader, end: number): Promise<string | undefined> {
  let location: string | undefined;
  while (r.pos < end) {
    const key = await r.varint();
    if (key === (13 << 3) + 2) {
      const { key: name, value } = entry(await r.bytes(await r.varint()));
      if (name === 'location') location = value;
    } else await r.skipField(key % 8);
  }
  return location;
}

async function scanGraph(r: FileReader, end: number, ops: Set<string>, files: Set<string>): Promise<void> {
  while (r.pos < end) {
    const key = await r.varint();
    const field = key >> 3;
    if ((field === 1 || field === 5) && key % 8 === 2) {
      const length = await r.varint();
      const stop = r.pos + length;
      const found = field === 1 ? await nodeOpType(r, stop) : await tensorLocation(r, stop);
      if (found !== undefined) (field === 1 ? ops : files).add(found);
      r.pos = stop;
    } else await r.skipField(key % 8);
  }
}

/** The {@link OnnxInventory} of the ONNX file at `file`. */
export async function readOnnxInventory(file: string): Promise<OnnxInventory> {
  return withOnnxReader(file, async (r) => {
    const { size } = r;
    const ops = new Set<string>();
    const files = new Set<string>();
    while (r.pos < size) {
      const key = await r.varint();
      if (key === (7 << 3) + 2) {
        const length = await r.varint();
        await scanGraph(r, r.pos + length, ops, files);
      } else await r.skipField(key % 8);
    }
    return { opTypes: [...ops].sort(), externalFiles: [...files].sort() };
  });
}
