/**
 * Which weights of a graph the int8 quantizer rewrites: float32 initializers used only as the weight of a Conv
 * (input 1, rank ≥ 3: per-channel axis 0) or as the right-hand side of a MatMul (input 1, rank 2: axis 1), and
 * not declared as a graph input or output. Everything else is copied unchanged.
 */
import { invalidArgument } from '../../shared/errors';
import type { InitializerPart } from './onnxParts';
import {
  declaredNames,
  defaultOpset,
  nodeInfo,
  tensorShape,
  type NodeInfo,
  type OnnxModelLayout,
} from './quantizeRead';

/** TensorProto.DataType codes the quantizer reads or writes. */
export const FLOAT = 1;
export const INT8 = 3;
export const FLOAT16 = 10;

/** DequantizeLinear with a per-axis scale needs opset 13. */
export const MIN_OPSET = 13;

export interface WeightPlan {
  readonly part: InitializerPart;
  readonly dims: readonly number[];
  /** The output-channel axis: 0 for a Conv weight, 1 for a MatMul's [K, N]. */
  readonly axis: number;
  readonly op: 'Conv' | 'MatMul';
  /** Index of the first node that uses it (its dequantization goes just before). */
  readonly firstUse: number;
  /** Conv: the activation input of that first node (the dequantization waits for it; see quantizeWrite.ts). */
  readonly activation: string;
}

export interface QuantizePlan {
  readonly layout: OnnxModelLayout;
  readonly nodes: readonly NodeInfo[];
  /** The weights to quantize, by initializer name. */
  readonly weights: ReadonlyMap<string, WeightPlan>;
  /** MatMul / Conv weights left alone because they are float16 (reported when nothing else is found). */
  readonly float16Weights: number;
  /** Parameters that become int8. */
  readonly params: number;
  /** Bytes of weights the new graph reads (int8 codes and every other initializer's data). */
  readonly outputBytes: number;
  /** Bytes of initializer data read from the source. */
  readonly inputBytes: number;
}

interface Use {
  readonly node: number;
  readonly opType: string;
  readonly index: number;
}

function usesOf(nodes: readonly NodeInfo[]): Map<string, Use[]> {
  const uses = new Map<string, Use[]>();
  nodes.forEach((n, node) =>
    n.inputs.forEach((name, index) => {
      if (name === '') return;
      const list = uses.get(name) ?? [];
      list.push({ node, opType: n.domain === '' || n.domain === 'ai.onnx' ? n.opType : '', index });
      uses.set(name, list);
    }),
  );
  return uses;
}

/** The op whose weight `uses` all are, with the axis for `dims`; undefined when it is anything else. */
function weightOp(uses: readonly Use[], dims: readonly number[]): { op: 'Conv' | 'MatMul'; axis: number } | undefined {
  if (uses.length === 0 || uses.some((u) => u.index !== 1)) return undefined;
  if (uses.every((u) => u.opType === 'Conv') && dims.length >= 3) return { op: 'Conv', axis: 0 };
  if (uses.every((u) => u.opType === 'MatMul') && dims.length === 2) return { op: 'MatMul', axis: 1 };
  return undefined;
}

const count = (dims: readonly number[]): number => dims.reduce((a, b) => a * b, 1);

/** Plans the quantization of the model read as `layout`. */
export function planQuantization(layout: OnnxModelLayout): QuantizePlan {
  const opset = defaultOpset(layout);
  if (opset !== undefined && opset < MIN_OPSET) {
    throw invalidArgument(`${layout.file} uses ONNX opset ${opset}; an int8 variant needs opset ${MIN_OPSET} or later`);
  }
  const nodes = layout.nodes.map(nodeInfo);
  const uses = usesOf(nodes);
  const declared = declaredNames(layout);
  const weights = new Map<string, WeightPlan>();
  let float16Weights = 0;
  let params = 0;
  let outputBytes = 0;
  let inputBytes = 0;
  for (const part of layout.initializers) {
    inputBytes += part.data?.length ?? 0;
    const { dataType, dims } = tensorShape(part);
    const use = uses.get(part.name) ?? [];
    const op = declared.has(part.name) ? undefined : weightOp(use, dims);
    if (op && dataType === FLOAT16) float16Weights++;
    if (!op || dataType !== FLOAT || count(dims) === 0) {
      outputBytes += part.data?.length ?? 0;
      continue;
    }
    const first = use[0]!.node;
    weights.set(part.name, { part, dims, ...op, firstUse: first, activation: nodes[first]!.inputs[0] ?? '' });
    params += count(dims);
    outputBytes += count(dims);
  }
  return { layout, nodes, weights, float16Weights, params, outputBytes, inputBytes };
}
