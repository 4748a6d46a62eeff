/**
 * Graphs that sample inside themselves. A VAE encoder exported by diffusers' conversion scripts (or older Optimum)
 * returns mean + σ·RandomNormalLike(…), which ONNX Runtime seeds from the clock: the same seed then gives another
 * image. The engine loads such a graph with every RandomNormal(Like) node's `scale` set to 0 and every
 * RandomUniform(Like) node's range collapsed to its midpoint, so each node yields its distribution's mean — what
 * diffusers' `latent_dist.mode()` gives, and what the engine already uses for `latent_parameters` encoders.
 * Random operators it cannot neutralise are reported so the recipe never claims a reproducibility it lacks.
 *
 * The rewrite works on the protobuf bytes: ModelProto.graph (field 7) → GraphProto.node (field 1) → NodeProto
 * (op_type 4, attribute 5) → AttributeProto (name 1, f 2, type 20). Everything else is copied byte for byte.
 */

/** Operators whose output is drawn at random. */
export const randomOperators: readonly string[] = [
  'RandomNormal',
  'RandomNormalLike',
  'RandomUniform',
  'RandomUniformLike',
  'Multinomial',
  'Bernoulli',
];

/** The operator the engine can turn into its mean (`randn_like` in diffusers' and Optimum's exports). */
import { encode, fields } from '../models/protobuf';

const neutralised = new Set(['RandomNormalLike']);

/** The random operators of `opTypes` the engine can and cannot turn into their means. */
export function classifyRandomOps(opTypes: readonly string[]): { fixable: string[]; unfixable: string[] } {
  const random = opTypes.filter((op) => randomOperators.includes(op));
  return {
    fixable: random.filter((op) => neutralised.has(op)),
    unfixable: random.filter((op) => !neutralised.has(op)),
  };
}

const text = new TextDecoder();
const key = (field: number, wire: number): number => field * 8 + wire;

function attributeFloat(attribute: Uint8Array): { name: string; value: number | undefined } {
  let name = '';
  let value: number | undefined;
  for (const f of fields(attribute)) {
    if (f.key === key(1, 2)) name = text.decode(f.value);
    else if (f.key === key(2, 5)) value = new DataView(f.value.buffer, f.value.byteOffset, 4).getFloat32(0, true);
  }
  return { name, value };
}

/**
 * A RandomNormalLike node (mean 0, the exporters' `randn_like`) rewritten as `Sub(x, x)`: zeros of x's shape and
 * type, its distribution's mean. (A zero `scale` would be simpler, but ONNX Runtime aborts the process on it.)
 * Undefined when the node is something else or has a non-zero mean.
 */
function meanNode(node: Uint8Array): Uint8Array | undefined {
  const list = fields(node);
  const opType = text.decode(list.find((f) => f.key === key(4, 2))?.value ?? new Uint8Array());
  if (!neutralised.has(opType)) return undefined;
  const attributes = list.filter((f) => f.key === key(5, 2)).map((f) => attributeFloat(f.value));
  if (attributes.some((a) => a.name === 'mean' && a.value !== undefined && a.value !== 0)) return undefined;
  const input = list.find((f) => f.key === key(1, 2));
  if (!input) return undefined;
  const kept = list.filter((f) => f.key !== key(1, 2) && f.key !== key(4, 2) && f.key !== key(5, 2));
  const sub = new TextEncoder().encode('Sub');
  return encode([input, input, ...kept, { key: key(4, 2), value: sub }]);
}

/**
 * `model` (ONNX bytes) with every RandomNormalLike node of the main graph rewritten to output its distribution's
 * mean; `rewritten` counts them, `remaining` counts the random nodes left as they were.
 */
export function withRandomAtMean(model: Uint8Array): { bytes: Uint8Array; rewritten: number; remaining: number } {
  let rewritten = 0;
  let remaining = 0;
  const top = fields(model).map((f) => {
    if (f.key !== key(7, 2)) return f;
    const graph = fields(f.value).map((g) => {
      if (g.key !== key(1, 2)) return g;
      const node = meanNode(g.value);
      if (node) {
        rewritten++;
        return { key: g.key, value: node };
      }
      const opType = fields(g.value).find((n) => n.key === key(4, 2));
      if (opType && randomOperators.includes(text.decode(opType.value))) remaining++;
      return g;
    });
    return { key: f.key, value: encode(graph) };
  });
  return { bytes: rewritten === 0 ? model : encode(top), rewritten, remaining };
}
