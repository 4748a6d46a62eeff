/**
 * `models quantize <id>`: makes `<id>-int8`, an opt-in variant of an installed SD1.5 set or ControlNet whose UNet /
 * ControlNet weights (Conv and MatMul) are int8 with fp32 per-channel scales (quantizeWrite.ts), for CPU users
 * whose memory cannot hold the fp32 weights. Everything else in the folder (text encoder, VAE, tokenizer,
 * scheduler) is hard-linked, so it takes no disk. The variant is written into a hidden staging folder and renamed
 * into place with its receipt, so a model folder is never half-written; the source's files are only read.
 * Its quality has not been judged against real weights yet.
 */
import { existsSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { IirError, invalidArgument } from '../../shared/errors';
import type { ModelRole } from './catalogSchema';
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
import { modelDir, readReceipt, type Receipt } from './receipt';
import { planQuantization, type QuantizePlan } from './quantizePlan';
import { readModelLayout } from './quantizeRead';
import { DATA_FILE, writeQuantized, type WriteOptions } from './quantizeWrite';

/** The quantizer's name and version, recorded in each variant's receipt. */
export const QUANTIZER = 'iir-studio int8 weight-only quantizer 1';
/** `<id>-int8`. */
export const int8VariantId = (id: string): string => `${id}-int8`;

const graphsByRole: Partial<Record<ModelRole, readonly string[]>> = {
  sd15: ['unet/model.onnx', 'controlnet/model.onnx'],
  lcm: ['unet/model.onnx', 'controlnet/model.onnx'],
  'controlnet-canny': ['model.onnx'],
  'controlnet-iir': ['model.onnx'],
};

export type QuantizeProgress = VariantProgress;
export type QuantizeModelOptions = VariantOptions;

export interface QuantizeResult {
  readonly receipt: Receipt;
  /** Parameters now stored as int8. */
  readonly params: number;
  /** Bytes of the files written (linked files not counted). */
  readonly writtenBytes: number;
}

interface Source extends VariantSource {
  readonly id: string;
  /** Graphs to quantize with their plans, by path relative to the model folder. */
  readonly plans: ReadonlyMap<string, QuantizePlan>;
}

async function loadSource(modelsDir: string, id: string): Promise<Source> {
  const receipt = await readReceipt(modelDir(modelsDir, id));
  if (!receipt) throw new IirError('model_missing', `model "${id}" is not installed in ${modelsDir}`);
  if (receipt.derived?.method === 'int8-weight-only') {
    throw invalidArgument(`${id} is already an int8 variant (made from ${receipt.derived.from})`);
  }
  const graphs = graphsByRole[receipt.role];
  if (!graphs) {
    throw invalidArgument(`${id} is a ${receipt.role} model; int8 variants are made of SD1.5 sets and ControlNets`);
  }
  const dir = receipt.location ?? modelDir(modelsDir, id);
  const plans = new Map<string, QuantizePlan>();
  for (const graph of graphs.filter((g) => existsSync(join(dir, g)))) {
    plans.set(graph, planQuantization(await readModelLayout(join(dir, graph))));
  }
  const all = [...plans.values()];
  if (all.every((p) => p.params === 0)) {
    if (all.some((p) => p.float16Weights > 0)) {
      throw invalidArgument(`${id} has float16 weights; make its fp32 variant first (models widen ${id})`);
    }
    throw invalidArgument(`${id} has no float32 Conv or MatMul weights to quantize`);
  }
  return { id, dir, receipt, plans, replaced: replacedFiles(dir, plans) };
}

/** Files the quantized graphs replace: each graph and every file its weights live in (relative paths). */
function replacedFiles(dir: string, plans: ReadonlyMap<string, QuantizePlan>): Set<string> {
  const out = new Set<string>();
  for (const [graph, plan] of plans) {
    out.add(graph);
    out.add(posix(join(dirname(graph), DATA_FILE)));
    for (const part of plan.layout.initializers) {
      if (part.data) out.add(posix(relative(dir, part.data.file)));
    }
  }
  return out;
}

/** Makes and installs the int8 variant of model `id` (see the file comment). */
export async function makeInt8Variant(options: QuantizeModelOptions): Promise<QuantizeResult> {
  const { modelsDir, id } = options;
  const target = int8VariantId(id);
  await checkTarget(modelsDir, target);
  const source = await loadSource(modelsDir, id);
  const plans = [...source.plans.values()];
  const keptBytes = source.receipt.files.filter((f) => !source.replaced.has(f.path)).reduce((s, f) => s + f.bytes, 0);
  const writtenBytes = plans.reduce((s, p) => s + p.outputBytes + 16 * 1024 * 1024, 0);
  await checkFreeSpace(modelsDir, source.dir, { writtenBytes, keptBytes }, target);
  const rewrites = [...source.plans].map(([path, plan]) => ({
    path,
    write: (out: string, o: WriteOptions) => writeQuantized(plan, out, o),
  }));
  const bytesTotal = plans.reduce((s, p) => s + p.inputBytes, 0);
  let written: FileEntry[] = [];
  const receipt = await stageVariant({
    modelsDir,
    target,
    kind: 'quantize',
    what: `the int8 variant of "${id}"`,
    write: async (staging) => {
      const made = await writeVariantFiles(source, rewrites, bytesTotal, staging, options);
      written = made.written;
      const title = `${source.receipt.title} (int8 weights, for CPU)`;
      return derivedReceipt(
        source,
        { from: id, target, title, method: 'int8-weight-only', tool: QUANTIZER },
        made.files,
      );
    },
  });
  const params = plans.reduce((s, p) => s + p.params, 0);
  return { receipt, params, writtenBytes: written.reduce((s, f) => s + f.bytes, 0) };
}
