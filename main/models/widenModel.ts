/**
 * `models widen <id>`: makes `<id>-fp32`, the fp32 variant of an installed fp16 model (same role), for CPU users:
 * ONNX Runtime's CPU provider gains no speed from fp16 weights and holds more memory (it wraps fp16 work in
 * casts). Every graph of the model that holds fp16 is rewritten fully fp32 (widenWrite.ts); the graphs' inputs
 * and outputs keep their names and ranks and become float32, which every role's contract accepts. fp16 → fp32 is
 * exact, so the variant computes what the fp16 model's weights say, without fp16's rounding in between. The
 * variant can then be quantized (`models quantize <id>-fp32`). Unchanged files are hard-linked; the variant is
 * staged and renamed into place (derivedVariant.ts).
 */
import { basename, dirname, join, relative } from 'node:path';
import { IirError, invalidArgument, isIirError } from '../../shared/errors';
import {
  checkFreeSpace,
  checkTarget,
  derivedReceipt,
  posix,
  stageVariant,
  writeVariantFiles,
  type FileEntry,
  type VariantOptions,
  type VariantProgress,
  type VariantSource,
} from './derivedVariant';
import { readModelLayout, type OnnxModelLayout } from './quantizeRead';
import { DATA_FILE, GRAPH_FILE, type WriteOptions } from './quantizeWrite';
import { modelDir, readReceipt, type Receipt } from './receipt';
import { halfCensus, type HalfCensus } from './widenGraph';
import { writeWidened } from './widenWrite';

/** The widener's name and version, recorded in each variant's receipt. */
export const WIDENER = 'iir-studio fp16 to fp32 widener 1';
/** `<id>-fp32`. */
export const fp32VariantId = (id: string): string => `${id}-fp32`;

export type WidenProgress = VariantProgress;
export type WidenModelOptions = VariantOptions;

export interface WidenResult {
  readonly receipt: Receipt;
  /** Parameters that were fp16 and are now fp32. */
  readonly params: number;
  /** Bytes of the files written (linked files not counted). */
  readonly writtenBytes: number;
}

interface Graph {
  readonly layout: OnnxModelLayout;
  readonly census: HalfCensus;
  /** Files the graph loads (itself and its weights' files), relative to the model folder. */
  readonly files: readonly string[];
}

interface Source extends VariantSource {
  /** The graphs to rewrite, by path relative to the model folder. */
  readonly graphs: ReadonlyMap<string, Graph>;
}

async function readGraphs(dir: string, receipt: Receipt): Promise<Map<string, Graph>> {
  const graphs = new Map<string, Graph>();
  for (const path of receipt.files.map((f) => f.path).filter((p) => p.endsWith('.onnx'))) {
    const layout = await readModelLayout(join(dir, path)).catch(() => {
      throw invalidArgument(`${path} of ${receipt.id} is not an ONNX graph the widener can read`);
    });
    let census: HalfCensus;
    try {
      census = halfCensus(layout);
    } catch (error) {
      throw invalidArgument(`${path} of ${receipt.id}: ${isIirError(error) ? error.message : String(error)}`);
    }
    const data = layout.initializers.flatMap((p) => (p.data ? [posix(relative(dir, p.data.file))] : []));
    graphs.set(path, { layout, census, files: [...new Set([path, ...data])] });
  }
  return graphs;
}

/** The graphs with fp16, and every graph that shares a weights file with one (it must be rewritten too). */
function graphsToWiden(all: ReadonlyMap<string, Graph>): Map<string, Graph> {
  const chosen = new Map([...all].filter(([, g]) => g.census.initializers + g.census.others > 0));
  for (let grew = true; grew;) {
    grew = false;
    const replaced = new Set([...chosen.values()].flatMap((g) => g.files));
    for (const [path, g] of all) {
      if (chosen.has(path) || !g.files.some((f) => replaced.has(f))) continue;
      chosen.set(path, g);
      grew = true;
    }
  }
  return chosen;
}

async function loadSource(modelsDir: string, id: string): Promise<Source> {
  const receipt = await readReceipt(modelDir(modelsDir, id));
  if (!receipt) throw new IirError('model_missing', `model "${id}" is not installed in ${modelsDir}`);
  if (receipt.derived?.method === 'fp32-widen') {
    throw invalidArgument(`${id} is already an fp32 variant (made from ${receipt.derived.from})`);
  }
  const dir = receipt.location ?? modelDir(modelsDir, id);
  const graphs = graphsToWiden(await readGraphs(dir, receipt));
  if (graphs.size === 0) throw invalidArgument(`${id} has no float16 weights or values; it needs no fp32 variant`);
  const folders = [...graphs.keys()].map((p) => posix(dirname(p)));
  const odd = [...graphs.keys()].find((p, i) => basename(p) !== GRAPH_FILE || folders.indexOf(folders[i]!) !== i);
  if (odd) throw invalidArgument(`${odd} of ${id}: only one graph named ${GRAPH_FILE} per folder can be widened`);
  const replaced = new Set<string>();
  for (const [path, g] of graphs) {
    for (const f of [...g.files, posix(join(dirname(path), DATA_FILE))]) replaced.add(f);
  }
  return { dir, receipt, graphs, replaced };
}

/** Bytes the widened graphs' weights take: fp16 data doubles, the rest is copied. */
function widenedBytes(source: Source): number {
  let bytes = 0;
  for (const g of source.graphs.values()) {
    for (const part of g.layout.initializers) bytes += part.data?.length ?? 0;
    bytes += g.census.params * 2;
  }
  return bytes;
}

/** Makes and installs the fp32 variant of model `id` (see the file comment). */
export async function makeFp32Variant(options: WidenModelOptions): Promise<WidenResult> {
  const { modelsDir, id } = options;
  const target = fp32VariantId(id);
  await checkTarget(modelsDir, target);
  const source = await loadSource(modelsDir, id);
  const keptBytes = source.receipt.files.filter((f) => !source.replaced.has(f.path)).reduce((s, f) => s + f.bytes, 0);
  const writtenBytes = widenedBytes(source) + source.graphs.size * 16 * 1024 * 1024;
  await checkFreeSpace(modelsDir, source.dir, { writtenBytes, keptBytes }, target);
  const graphs = [...source.graphs];
  const rewrites = graphs.map(([path, graph]) => ({
    path,
    write: (out: string, o: WriteOptions) => writeWidened(graph.layout, out, o),
  }));
  const bytesTotal = graphs.reduce(
    (s, [, g]) => s + g.layout.initializers.reduce((n, p) => n + (p.data?.length ?? 0), 0),
    0,
  );
  let written: FileEntry[] = [];
  const receipt = await stageVariant({
    modelsDir,
    target,
    kind: 'widen',
    what: `the fp32 variant of "${id}"`,
    write: async (staging) => {
      const made = await writeVariantFiles(source, rewrites, bytesTotal, staging, options);
      written = made.written;
      const title = `${source.receipt.title} (fp32, for CPU)`;
      return derivedReceipt(source, { from: id, target, title, method: 'fp32-widen', tool: WIDENER }, made.files);
    },
  });
  const params = graphs.reduce((s, [, g]) => s + g.census.params, 0);
  return { receipt, params, writtenBytes: written.reduce((s, f) => s + f.bytes, 0) };
}
