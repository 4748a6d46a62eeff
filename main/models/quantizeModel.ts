/**
 * `models quantize <id>`: makes `<id>-int8`, an opt-in variant of an installed SD1.5 set or ControlNet whose UNet /
 * ControlNet weights (Conv and MatMul) are int8 with fp32 per-channel scales (quantizeWrite.ts), for CPU users
 * whose memory cannot hold the fp32 weights. Everything else in the folder (text encoder, VAE, tokenizer,
 * scheduler) is hard-linked, so it takes no disk. The variant is written into a hidden staging folder and renamed
 * into place with its receipt, so a model folder is never half-written; the source's files are only read.
 * Its quality has not been judged against real weights yet.
 */
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import { IirError, invalidArgument } from '../../shared/errors';
import type { ModelRole } from './catalogSchema';
import {
  checkFreeSpace,
  checkTarget,
  linkInto,
  shareIdenticalData,
  stageVariant,
  type FileEntry,
} from './derivedVariant';
import { modelDir, readReceipt, type Receipt } from './receipt';
import { planQuantization, type QuantizePlan } from './quantizePlan';
import { readModelLayout } from './quantizeRead';
import { DATA_FILE, writeQuantized } from './quantizeWrite';

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

export interface QuantizeProgress {
  /** The graph being quantized (relative to the model folder), or null while linking and finishing. */
  readonly file: string | null;
  readonly bytesDone: number;
  readonly bytesTotal: number;
}

export interface QuantizeModelOptions {
  readonly modelsDir: string;
  readonly id: string;
  readonly onProgress?: (progress: QuantizeProgress) => void;
  readonly signal?: AbortSignal | undefined;
}

export interface QuantizeResult {
  readonly receipt: Receipt;
  /** Parameters now stored as int8. */
  readonly params: number;
  /** Bytes of the files written (linked files not counted). */
  readonly writtenBytes: number;
}

interface Source {
  readonly id: string;
  readonly dir: string;
  readonly receipt: Receipt;
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
  return { id, dir, receipt, plans };
}

/** Files the quantized graphs replace: each graph and every file its weights live in (relative paths). */
function replacedFiles(source: Source): Set<string> {
  const out = new Set<string>();
  for (const [graph, plan] of source.plans) {
    out.add(graph);
    out.add(join(dirname(graph), DATA_FILE).split(sep).join('/'));
    for (const part of plan.layout.initializers) {
      if (part.data) out.add(relative(source.dir, part.data.file).split(sep).join('/'));
    }
  }
  return out;
}

async function writeVariant(source: Source, staging: string, options: QuantizeModelOptions) {
  const replaced = replacedFiles(source);
  const kept = source.receipt.files.filter((f) => !replaced.has(f.path));
  const files: FileEntry[] = [];
  for (const f of kept) {
    await linkInto(source.dir, staging, f.path);
    files.push({ ...f });
  }
  const bytesTotal = [...source.plans.values()].reduce((s, p) => s + p.inputBytes, 0);
  let bytesDone = 0;
  let params = 0;
  const written: FileEntry[] = [];
  for (const [graph, plan] of source.plans) {
    options.onProgress?.({ file: graph, bytesDone, bytesTotal });
    const out = join(staging, dirname(graph));
    await mkdir(out, { recursive: true });
    const writeOptions = {
      signal: options.signal,
      onBytes: (n: number) => {
        bytesDone += n;
        options.onProgress?.({ file: graph, bytesDone, bytesTotal });
      },
    };
    params += plan.params;
    for (const w of await writeQuantized(plan, out, writeOptions)) {
      const path = join(dirname(graph), w.path).split(sep).join('/');
      written.push({ path, bytes: w.bytes, sha256: w.sha256, checkedAgainst: 'none' });
    }
  }
  await shareIdenticalData(staging, written, DATA_FILE);
  files.push(...written);
  options.onProgress?.({ file: null, bytesDone, bytesTotal });
  const sources = source.receipt.files.filter((f) => replaced.has(f.path));
  const writtenBytes = written.reduce((s, f) => s + f.bytes, 0);
  return { files: files.sort((a, b) => a.path.localeCompare(b.path)), sources, params, writtenBytes };
}

/** Makes and installs the int8 variant of model `id` (see the file comment). */
export async function makeInt8Variant(options: QuantizeModelOptions): Promise<QuantizeResult> {
  const { modelsDir, id } = options;
  const target = int8VariantId(id);
  await checkTarget(modelsDir, target);
  const source = await loadSource(modelsDir, id);
  const replaced = replacedFiles(source);
  const keptBytes = source.receipt.files.filter((f) => !replaced.has(f.path)).reduce((s, f) => s + f.bytes, 0);
  const writtenBytes = [...source.plans.values()].reduce((s, p) => s + p.outputBytes + 16 * 1024 * 1024, 0);
  await checkFreeSpace(modelsDir, source.dir, { writtenBytes, keptBytes }, target);
  let made = { params: 0, writtenBytes: 0 };
  const receipt = await stageVariant({
    modelsDir,
    target,
    kind: 'quantize',
    what: `the int8 variant of "${id}"`,
    write: async (staging) => {
      const { files, sources, params, writtenBytes } = await writeVariant(source, staging, options);
      made = { params, writtenBytes };
      return {
        schema: 1,
        id: target,
        title: `${source.receipt.title} (int8 weights, for CPU)`,
        role: source.receipt.role,
        source: {
          kind: 'derive',
          repo: source.receipt.source.repo,
          revision: source.receipt.source.revision,
          from: id,
        },
        license: source.receipt.license,
        location: null,
        files,
        installedAt: new Date().toISOString(),
        derived: { from: id, method: 'int8-weight-only', tool: QUANTIZER, sources },
      };
    },
  });
  return { receipt, ...made };
}
