/**
 * Attention in query slices, for a UNet or ControlNet whose peak memory is its attention scores. At 512² the
 * self-attention over 64 × 64 latents holds two [heads, 4096, 4096] fp32 tensors at once (the scores and their
 * softmax): 1 GiB per image. Softmax normalises each query row on its own, so the rows can be computed in `k`
 * slices, one after the other, and concatenated: the same numbers with a k-th of the memory (diffusers calls this
 * attention slicing).
 *
 * The rewrite works on the graph's protobuf bytes, as randomOps.ts does, and leaves every weight where it is. It
 * replaces each chain
 *     MatMul(q, kᵀ) [→ Mul or Div by a constant scalar]… → Softmax(axis −1) → o = MatMul(·, v)
 * whose intermediate tensors have no other consumer by `k` such chains on the query rows
 * q[…, i·S/k : (i+1)·S/k, :], concatenated on axis −2 into `o`, with S read from q's shape at run time (any
 * resolution). Any other form of attention is left as it is.
 *
 * Field numbers: ModelProto opset_import 8 (domain 1, version 2), graph 7; GraphProto node 1, initializer 5,
 * output 12, value_info 13; NodeProto input 1, output 2, name 3, op_type 4, attribute 5, domain 7; AttributeProto
 * name 1, i 3, type 20; TensorProto dims 1, data_type 2, name 8, raw_data 9; ValueInfoProto name 1.
 */
import { intAttribute, nodeProto } from '../models/onnxBuild';
import {
  encode,
  type Field,
  fieldKey,
  fields,
  int64Value,
  packedInt64s,
  stringField,
  varintField,
  varintValue,
} from '../models/protobuf';

const text = new TextDecoder();

interface Node {
  readonly bytes: Uint8Array;
  readonly op: string;
  /** '' for the default domain. */
  readonly domain: string;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly axis?: number;
}

function parseNode(bytes: Uint8Array): Node {
  const inputs: string[] = [];
  const outputs: string[] = [];
  let op = '';
  let domain = '';
  let axis: number | undefined;
  for (const f of fields(bytes)) {
    if (f.key === fieldKey(1, 2)) inputs.push(text.decode(f.value));
    else if (f.key === fieldKey(2, 2)) outputs.push(text.decode(f.value));
    else if (f.key === fieldKey(4, 2)) op = text.decode(f.value);
    else if (f.key === fieldKey(7, 2)) domain = text.decode(f.value);
    else if (f.key === fieldKey(5, 2)) {
      const attribute = fields(f.value);
      const name = attribute.find((a) => a.key === fieldKey(1, 2));
      const value = attribute.find((a) => a.key === fieldKey(3, 0));
      if (name && value && text.decode(name.value) === 'axis') axis = int64Value(value.value);
    }
  }
  return {
    bytes,
    op,
    domain: domain === 'ai.onnx' ? '' : domain,
    inputs,
    outputs,
    ...(axis !== undefined ? { axis } : {}),
  };
}

/** The names of the graph's one-element initializers and Constant outputs (the scale of q·kᵀ). */
function scalarNames(graph: readonly Field[], nodes: readonly Node[]): Set<string> {
  const names = new Set<string>();
  for (const f of graph) {
    if (f.key !== fieldKey(5, 2)) continue;
    const tensor = fields(f.value);
    const dims = tensor.flatMap((t) =>
      t.key === fieldKey(1, 0) ? [varintValue(t.value)] : t.key === fieldKey(1, 2) ? packedInt64s(t.value) : [],
    );
    const name = tensor.find((t) => t.key === fieldKey(8, 2));
    if (name && dims.every((d) => d === 1)) names.add(text.decode(name.value));
  }
  for (const node of nodes) if (node.op === 'Constant' && node.domain === '') names.add(node.outputs[0]!);
  return names;
}

/** One attention chain: its nodes' indices, q, kᵀ, the scalar steps between, v, and the output. */
interface Chain {
  readonly indices: readonly number[];
  readonly q: string;
  readonly k: string;
  readonly scales: readonly { readonly op: string; readonly scalar: string }[];
  readonly softmax: Node;
  readonly v: string;
  readonly output: string;
}

interface GraphIndex {
  readonly nodes: readonly Node[];
  readonly producer: ReadonlyMap<string, number>;
  /** The nodes using each tensor (-1 for a graph output). */
  readonly consumers: ReadonlyMap<string, readonly number[]>;
  readonly scalars: ReadonlySet<string>;
  /** The default domain's opset. */
  readonly opset: number;
}

/** The attention chain that ends at the Softmax node `at`, when every step has the expected form. */
function chainAt(g: GraphIndex, at: number): Chain | undefined {
  const softmax = g.nodes[at]!;
  if ((softmax.axis ?? (g.opset >= 13 ? -1 : 1)) !== -1) return undefined;
  const onlyUser = (name: string): number | undefined => {
    const users = g.consumers.get(name) ?? [];
    return users.length === 1 && users[0]! >= 0 ? users[0] : undefined;
  };
  const after = onlyUser(softmax.outputs[0]!);
  const mix = after === undefined ? undefined : g.nodes[after]!;
  if (!mix || mix.op !== 'MatMul' || mix.domain !== '' || mix.inputs[0] !== softmax.outputs[0]) return undefined;
  const scales: { op: string; scalar: string }[] = [];
  const indices = [at, after!];
  let tensor = softmax.inputs[0]!;
  for (;;) {
    const from = g.producer.get(tensor);
    if (from === undefined || onlyUser(tensor) === undefined) return undefined;
    const node = g.nodes[from]!;
    indices.push(from);
    if (node.domain !== '') return undefined;
    if (node.op === 'MatMul') {
      const [q, k] = node.inputs as [string, string];
      return { indices, q, k, scales: scales.reverse(), softmax, v: mix.inputs[1]!, output: mix.outputs[0]! };
    }
    if ((node.op !== 'Mul' && node.op !== 'Div') || !g.scalars.has(node.inputs[1]!)) return undefined;
    scales.push({ op: node.op, scalar: node.inputs[1]! });
    tensor = node.inputs[0]!;
  }
}

/** A one-element int64 initializer. */
function int64Initializer(name: string, value: number): Field {
  const raw = new Uint8Array(8);
  new DataView(raw.buffer).setBigInt64(0, BigInt(value), true);
  return {
    key: fieldKey(5, 2),
    value: encode([varintField(1, 1), varintField(2, 7), stringField(8, name), { key: fieldKey(9, 2), value: raw }]),
  };
}

const prefix = 'iir_sliced_attention';

/** The nodes computing `chain` in `k` query slices (the constants are {@link constants}'). */
function slicedNodes(chain: Chain, k: number, id: number): Uint8Array[] {
  const p = `${prefix}_${id}`;
  const out: Uint8Array[] = [
    nodeProto('Shape', [chain.q], `${p}_shape`),
    nodeProto('Gather', [`${p}_shape`, `${prefix}_minus2`], `${p}_rows`, [intAttribute('axis', 0)]),
  ];
  for (let i = 0; i <= k; i++) {
    out.push(nodeProto('Mul', [`${p}_rows`, `${prefix}_int${i}`], `${p}_times${i}`));
    out.push(nodeProto('Div', [`${p}_times${i}`, `${prefix}_int${k}`], `${p}_bound${i}`));
  }
  const softmaxAttributes = fields(chain.softmax.bytes).filter((f) => f.key === fieldKey(5, 2));
  for (let i = 0; i < k; i++) {
    const s = `${p}_${i}`;
    out.push(nodeProto('Slice', [chain.q, `${p}_bound${i}`, `${p}_bound${i + 1}`, `${prefix}_minus2`], `${s}_q`));
    out.push(nodeProto('MatMul', [`${s}_q`, chain.k], `${s}_scores`));
    let scores = `${s}_scores`;
    chain.scales.forEach((step, j) => {
      out.push(nodeProto(step.op, [scores, step.scalar], `${s}_scaled${j}`));
      scores = `${s}_scaled${j}`;
    });
    out.push(nodeProto('Softmax', [scores], `${s}_weights`, softmaxAttributes));
    out.push(nodeProto('MatMul', [`${s}_weights`, chain.v], `${s}_out`));
  }
  const parts = Array.from({ length: k }, (_, i) => `${p}_${i}_out`);
  out.push(nodeProto('Concat', parts, chain.output, [intAttribute('axis', -2)]));
  return out;
}

/** The shared int64 constants: −2 (the query axis, and its index in q's shape) and 0…k. */
function constants(k: number): Field[] {
  return [
    int64Initializer(`${prefix}_minus2`, -2),
    ...Array.from({ length: k + 1 }, (_, i) => int64Initializer(`${prefix}_int${i}`, i)),
  ];
}

function defaultOpset(model: readonly Field[]): number {
  for (const f of model) {
    if (f.key !== fieldKey(8, 2)) continue;
    const entry = fields(f.value);
    const domain = text.decode(entry.find((e) => e.key === fieldKey(1, 2))?.value ?? new Uint8Array());
    const version = entry.find((e) => e.key === fieldKey(2, 0));
    if ((domain === '' || domain === 'ai.onnx') && version) return varintValue(version.value);
  }
  return 0;
}

function indexGraph(graph: readonly Field[], opset: number): GraphIndex {
  const nodes = graph.filter((f) => f.key === fieldKey(1, 2)).map((f) => parseNode(f.value));
  const producer = new Map<string, number>();
  const consumers = new Map<string, number[]>();
  const use = (name: string, by: number): void => void consumers.set(name, [...(consumers.get(name) ?? []), by]);
  nodes.forEach((n, i) => {
    n.outputs.forEach((o) => producer.set(o, i));
    n.inputs.forEach((input) => use(input, i));
  });
  for (const f of graph) {
    if (f.key !== fieldKey(12, 2)) continue;
    const name = fields(f.value).find((v) => v.key === fieldKey(1, 2));
    if (name) use(text.decode(name.value), -1);
  }
  return { nodes, producer, consumers, scalars: scalarNames(graph, nodes), opset };
}

/**
 * `model` (ONNX bytes, weights external or inline) with every attention chain of its main graph computed in `k`
 * query slices; `sliced` counts the chains rewritten (0: the bytes are returned unchanged).
 */
export function withSlicedAttention(model: Uint8Array, k: number): { bytes: Uint8Array; sliced: number } {
  const top = fields(model);
  const opset = defaultOpset(top);
  const graphField = top.find((f) => f.key === fieldKey(7, 2));
  if (!graphField || opset < 11 || k < 2) return { bytes: model, sliced: 0 };
  const graph = fields(graphField.value);
  const index = indexGraph(graph, opset);
  const replaced = new Map<number, Uint8Array[]>();
  const removed = new Set<number>();
  const removedNames = new Set<string>();
  index.nodes.forEach((n, i) => {
    if (n.op !== 'Softmax' || n.domain !== '') return;
    const chain = chainAt(index, i);
    if (!chain || chain.indices.some((j) => removed.has(j))) return;
    const last = Math.max(...chain.indices);
    chain.indices.forEach((j) => removed.add(j));
    chain.indices.forEach((j) => index.nodes[j]!.outputs.forEach((o) => o !== chain.output && removedNames.add(o)));
    replaced.set(last, slicedNodes(chain, k, replaced.size));
  });
  if (replaced.size === 0) return { bytes: model, sliced: 0 };
  let nodeIndex = -1;
  const rewritten: Field[] = [];
  for (const f of graph) {
    if (f.key === fieldKey(13, 2)) {
      const name = fields(f.value).find((v) => v.key === fieldKey(1, 2));
      if (name && removedNames.has(text.decode(name.value))) continue; // shape info of a tensor no longer there
    }
    if (f.key !== fieldKey(1, 2)) {
      rewritten.push(f);
      continue;
    }
    nodeIndex++;
    const instead = replaced.get(nodeIndex);
    if (instead) rewritten.push(...instead.map((value) => ({ key: fieldKey(1, 2), value })));
    else if (!removed.has(nodeIndex)) rewritten.push(f);
  }
  rewritten.push(...constants(k));
  const bytes = encode(top.map((f) => (f === graphField ? { key: f.key, value: encode(rewritten) } : f)));
  return { bytes, sliced: replaced.size };
}
