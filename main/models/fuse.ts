/**
 * Install-time fusion of a split ControlNet and the residual UNet into one graph (architecture.md §5: CUDA and
 * DirectML have no IO binding in onnxruntime-node, so split residuals cross JS every step). The fused graph takes
 * the UNet's inputs plus `controlnet_cond` and `conditioning_scale`, wires the ControlNet's 13 residual outputs into
 * the residual UNet's inputs, and gives `out_sample`. Every initializer of 1 KB or more points at the bytes where
 * they already are — the external data files, or the raw data inside the original `model.onnx` — so no weights are
 * copied. The graph sits in the models folder, beside both model folders, so every location stays inside its
 * folder; a small JSON beside it records each referenced file's size and mtime, and the engine uses the graph only
 * while they are unchanged.
 */
import { stat, readFile } from 'node:fs/promises';
import { basename, dirname, join, relative, sep } from 'node:path';
import { invalidArgument } from '../../shared/errors';
import { writeFilesAtomic } from '../files/atomicWrite';
import { readOnnxParts, type InitializerPart, type OnnxParts } from './onnxParts';
import { encode, fieldKey, fields, stringField, varintField, type Field } from './protobuf';

const residualNames = [
  ...Array.from({ length: 12 }, (_, i) => `down_block_${i}_additional_residual`),
  'mid_block_additional_residual',
];
const decoder = new TextDecoder();

/** The fused graph's file name for an SD folder and a ControlNet folder (both in the same models folder). */
export function fusedGraphName(sdDir: string, controlnetDir: string): string {
  return `${basename(sdDir)}+${basename(controlnetDir)}.fused.onnx`;
}

/** Where the fused graph of `sdDir` + `controlnetDir` goes (undefined when they are not in one folder). */
export function fusedGraphPath(sdDir: string, controlnetDir: string): string | undefined {
  const root = dirname(sdDir);
  return dirname(controlnetDir) === root ? join(root, fusedGraphName(sdDir, controlnetDir)) : undefined;
}

function valueName(info: Uint8Array): string {
  return decoder.decode(fields(info).find((f) => f.key === fieldKey(1, 2))?.value ?? new Uint8Array());
}

/** The ValueInfo's TypeProto bytes (to compare what two graphs declare for a shared input). */
function elemType(info: Uint8Array): string {
  const type = fields(info).find((f) => f.key === fieldKey(2, 2))?.value ?? new Uint8Array();
  const tensor = fields(type).find((f) => f.key === fieldKey(1, 2))?.value ?? new Uint8Array();
  return String(fields(tensor).find((f) => f.key === fieldKey(1, 0))?.value[0] ?? '?');
}

/** A node with its value names and node name passed through `rename`; subgraphs are refused. */
function renameNode(node: Uint8Array, rename: (name: string) => string, prefix: string): Uint8Array {
  return encode(
    fields(node).map((f): Field => {
      if (f.key === fieldKey(1, 2) || f.key === fieldKey(2, 2)) {
        const name = decoder.decode(f.value);
        return stringField(f.key >> 3, name === '' ? '' : rename(name));
      }
      if (f.key === fieldKey(3, 2)) return stringField(3, `${prefix}${decoder.decode(f.value)}`);
      if (f.key === fieldKey(5, 2)) {
        const attribute = fields(f.value);
        if (attribute.some((a) => a.key === fieldKey(6, 2) || a.key === fieldKey(11, 2))) {
          throw invalidArgument('the model has control-flow subgraphs (If/Loop); it cannot be fused');
        }
      }
      return f;
    }),
  );
}

function initializer(part: InitializerPart, name: string, root: string): Uint8Array {
  const list: Field[] = [...part.fields, stringField(8, name)];
  if (part.data) {
    const location = relative(root, part.data.file).split(sep).join('/');
    if (location.startsWith('..')) throw invalidArgument(`${part.data.file} is outside ${root}`);
    for (const [k, v] of [
      ['location', location],
      ['offset', String(part.data.offset)],
      ['length', String(part.data.length)],
    ] as const) {
      list.push({ key: fieldKey(13, 2), value: encode([stringField(1, k), stringField(2, v)]) });
    }
    list.push(varintField(14, 1));
  }
  return encode(list);
}

function checkShared(controlnet: OnnxParts, unet: OnnxParts): void {
  const cnInputs = new Map(controlnet.inputs.map((i) => [valueName(i), i]));
  for (const input of unet.inputs) {
    const name = valueName(input);
    const mine = cnInputs.get(name);
    if (mine && elemType(mine) !== elemType(input)) {
      throw invalidArgument(`the ControlNet and the UNet declare "${name}" with different types; cannot fuse them`);
    }
  }
  const cnOutputs = new Map(controlnet.outputs.map((o) => [valueName(o), o]));
  const unetInputs = new Map(unet.inputs.map((i) => [valueName(i), i]));
  for (const name of residualNames) {
    const out = cnOutputs.get(name);
    const input = unetInputs.get(name);
    if (!out || !input) throw invalidArgument(`"${name}" is missing from the ControlNet or the residual UNet`);
    if (elemType(out) !== elemType(input)) {
      throw invalidArgument(`the ControlNet gives "${name}" in another type than the UNet takes; cannot fuse them`);
    }
  }
}

/** The fused ModelProto bytes of `controlnet` → `unet`, with data locations relative to `root`. */
export function fuseParts(controlnet: OnnxParts, unet: OnnxParts, root: string): Uint8Array {
  checkShared(controlnet, unet);
  const cnInputs = new Set(controlnet.inputs.map(valueName));
  const unetInputs = new Set(unet.inputs.map(valueName));
  const cnName = (n: string): string => (cnInputs.has(n) || residualNames.includes(n) ? n : `controlnet/${n}`);
  const unetOutputs = new Set(unet.outputs.map(valueName));
  const unetName = (n: string): string => (unetInputs.has(n) || unetOutputs.has(n) ? n : `unet/${n}`);
  const graph: Field[] = [
    ...controlnet.nodes.map((n) => ({ key: fieldKey(1, 2), value: renameNode(n, cnName, 'controlnet/') })),
    ...unet.nodes.map((n) => ({ key: fieldKey(1, 2), value: renameNode(n, unetName, 'unet/') })),
    stringField(2, 'controlnet+unet'),
    ...controlnet.initializers.map((i) => ({ key: fieldKey(5, 2), value: initializer(i, cnName(i.name), root) })),
    ...unet.initializers.map((i) => ({ key: fieldKey(5, 2), value: initializer(i, unetName(i.name), root) })),
    ...controlnet.inputs.map((value) => ({ key: fieldKey(11, 2), value })),
    ...unet.inputs
      .filter((i) => !cnInputs.has(valueName(i)) && !residualNames.includes(valueName(i)))
      .map((value) => ({ key: fieldKey(11, 2), value })),
    ...unet.outputs.map((value) => ({ key: fieldKey(12, 2), value })),
  ];
  const opsets = new Map(controlnet.opsets);
  for (const [domain, version] of unet.opsets) opsets.set(domain, Math.max(version, opsets.get(domain) ?? 0));
  return encode([
    varintField(1, Math.max(controlnet.irVersion, unet.irVersion)),
    stringField(2, 'iir-studio-fuse'),
    { key: fieldKey(7, 2), value: encode(graph) },
    ...[...opsets].map(([domain, version]) => ({
      key: fieldKey(8, 2),
      value: encode([stringField(1, domain), varintField(2, version)]),
    })),
  ]);
}

/** The files a fused graph was built from, with their sizes and mtimes. */
export type FuseSources = Record<string, { size: number; mtimeMs: number }>;

async function sourcesOf(files: readonly string[]): Promise<FuseSources> {
  const out: FuseSources = {};
  for (const file of files) {
    const info = await stat(file);
    out[file] = { size: info.size, mtimeMs: info.mtimeMs };
  }
  return out;
}

/**
 * Writes the fused graph of the ControlNet in `controlnetDir` and the residual UNet of `sdDir` beside the two
 * folders, and returns its path and size. Nothing is copied but the graph structure.
 */
export async function fuseModelSet(sdDir: string, controlnetDir: string): Promise<{ path: string; bytes: number }> {
  const target = fusedGraphPath(sdDir, controlnetDir);
  if (!target) throw invalidArgument(`${sdDir} and ${controlnetDir} must be in the same models folder to be fused`);
  const cnFile = join(controlnetDir, 'model.onnx');
  const unetFile = join(sdDir, 'controlnet', 'model.onnx');
  const [controlnet, unet] = await Promise.all([readOnnxParts(cnFile), readOnnxParts(unetFile)]);
  const bytes = fuseParts(controlnet, unet, dirname(target));
  const referenced = new Set([cnFile, unetFile]);
  for (const part of [...controlnet.initializers, ...unet.initializers]) if (part.data) referenced.add(part.data.file);
  // The record of what it references is in place before the graph the engine looks for.
  const sources = `${JSON.stringify(await sourcesOf([...referenced]), null, 1)}\n`;
  await writeFilesAtomic([
    { path: `${target}.json`, bytes: sources },
    { path: target, bytes },
  ]);
  return { path: target, bytes: bytes.length };
}

/** The fused graph for `sdDir` + `controlnetDir` when one exists and every file it references is unchanged. */
export async function currentFusedGraph(sdDir: string, controlnetDir: string): Promise<string | undefined> {
  const path = fusedGraphPath(sdDir, controlnetDir);
  if (!path) return undefined;
  let recorded: FuseSources;
  try {
    recorded = JSON.parse(await readFile(`${path}.json`, 'utf8')) as FuseSources;
    await stat(path);
  } catch {
    return undefined;
  }
  try {
    const now = await sourcesOf(Object.keys(recorded));
    const same = Object.entries(recorded).every(
      ([file, r]) => now[file]?.size === r.size && now[file]?.mtimeMs === r.mtimeMs,
    );
    return same ? path : undefined;
  } catch {
    return undefined;
  }
}
