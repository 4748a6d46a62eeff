/**
 * An ONNX model read for the int8 quantizer: every field kept as it is (model metadata, local functions, the
 * graph's inputs, outputs and value_info) except the nodes and the initializers, which the quantizer rewrites.
 * Initializers are located, not read ({@link readInitializer}), so a 3.4 GB UNet costs only its graph structure.
 */
import { type FileReader, withOnnxReader } from './onnxHeader';
import { readField, readInitializer, type InitializerPart } from './onnxParts';
import { fieldKey, fields, varintValue, type Field } from './protobuf';

export interface OnnxModelLayout {
  readonly file: string;
  /** ModelProto fields other than the graph, in file order. */
  readonly modelFields: readonly Field[];
  /** GraphProto fields other than its nodes and initializers, in file order. */
  readonly graphFields: readonly Field[];
  readonly nodes: readonly Uint8Array[];
  readonly initializers: readonly InitializerPart[];
}

/** A node's op type, domain, inputs and outputs. */
export interface NodeInfo {
  readonly opType: string;
  readonly domain: string;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
}

const decoder = new TextDecoder();

async function readGraph(r: FileReader, end: number, file: string) {
  const graphFields: Field[] = [];
  const nodes: Uint8Array[] = [];
  const initializers: InitializerPart[] = [];
  while (r.pos < end) {
    const key = await r.varint();
    if (key === fieldKey(1, 2)) nodes.push(await r.bytes(await r.varint()));
    else if (key === fieldKey(5, 2)) {
      const length = await r.varint();
      initializers.push(await readInitializer(r, r.pos + length, file));
    } else graphFields.push(await readField(r, key));
  }
  return { graphFields, nodes, initializers };
}

/** Reads `file` as an {@link OnnxModelLayout}. */
export async function readModelLayout(file: string): Promise<OnnxModelLayout> {
  return withOnnxReader(file, async (r) => {
    const modelFields: Field[] = [];
    let graph: Awaited<ReturnType<typeof readGraph>> | undefined;
    while (r.pos < r.size) {
      const key = await r.varint();
      if (key === fieldKey(7, 2)) {
        const length = await r.varint();
        graph = await readGraph(r, r.pos + length, file);
      } else modelFields.push(await readField(r, key));
    }
    if (!graph) throw new Error('no graph');
    return { file, modelFields, ...graph };
  });
}

/** The {@link NodeInfo} of a NodeProto's bytes. */
export function nodeInfo(node: Uint8Array): NodeInfo {
  let opType = '';
  let domain = '';
  const inputs: string[] = [];
  const outputs: string[] = [];
  for (const f of fields(node)) {
    if (f.key === fieldKey(1, 2)) inputs.push(decoder.decode(f.value));
    else if (f.key === fieldKey(2, 2)) outputs.push(decoder.decode(f.value));
    else if (f.key === fieldKey(4, 2)) opType = decoder.decode(f.value);
    else if (f.key === fieldKey(7, 2)) domain = decoder.decode(f.value);
  }
  return { opType, domain, inputs, outputs };
}

/** The version of the default ONNX domain the model imports (undefined when it imports none). */
export function defaultOpset(layout: OnnxModelLayout): number | undefined {
  for (const f of layout.modelFields) {
    if (f.key !== fieldKey(8, 2)) continue;
    let domain = '';
    let version = 0;
    for (const g of fields(f.value)) {
      if (g.key === fieldKey(1, 2)) domain = decoder.decode(g.value);
      else if (g.key === fieldKey(2, 0)) version = varintValue(g.value);
    }
    if (domain === '' || domain === 'ai.onnx') return version;
  }
  return undefined;
}

/** Names of the graph's declared inputs and outputs (a weight listed as an input may be overridden: left alone). */
export function declaredNames(layout: OnnxModelLayout): Set<string> {
  const names = new Set<string>();
  for (const f of layout.graphFields) {
    if (f.key !== fieldKey(11, 2) && f.key !== fieldKey(12, 2)) continue;
    const name = fields(f.value).find((g) => g.key === fieldKey(1, 2));
    if (name) names.add(decoder.decode(name.value));
  }
  return names;
}

/** An initializer's element type (TensorProto.DataType) and dims, from its kept fields. */
export function tensorShape(part: InitializerPart): { dataType: number; dims: number[] } {
  let dataType = 0;
  const dims: number[] = [];
  for (const f of part.fields) {
    if (f.key === fieldKey(2, 0)) dataType = varintValue(f.value);
    else if (f.key === fieldKey(1, 0)) dims.push(varintValue(f.value));
    else if (f.key === fieldKey(1, 2)) {
      // packed dims
      const at = { pos: 0 };
      while (at.pos < f.value.length) {
        let v = 0;
        let scale = 1;
        for (;;) {
          const b = f.value[at.pos++]!;
          v += (b & 0x7f) * scale;
          scale *= 128;
          if ((b & 0x80) === 0) break;
        }
        dims.push(v);
      }
    }
  }
  return { dataType, dims };
}
