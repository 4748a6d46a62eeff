/**
 * The optimized-graph cache: ONNX Runtime's graph optimizations (fusions, CPU layouts) run once per model file and
 * machine. The first session writes its optimized graph, weights as external data, into
 * `<models>/.cache/sessions/<entry>/`; later sessions load that with the optimizations off. CPU only: an optimized
 * graph is specific to the provider that optimized it. An entry is keyed by the model's path, the size and mtime
 * of every file it loads and the ONNX Runtime version, so a changed model gets a new entry (the old one is removed).
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import ort from 'onnxruntime-node';
import { graphFiles } from './modelFiles';

/** The cache folder inside a models folder (a dot folder: never listed as a model). */
export function sessionCacheDir(modelsDir: string): string {
  return join(modelsDir, '.cache', 'sessions');
}

const digest = (text: string): string => createHash('sha256').update(text).digest('hex').slice(0, 16);

/** Where the optimized graph of `modelPath` lives (and whether it is there). */
export interface CacheEntry {
  readonly dir: string;
  readonly model: string;
  readonly exists: boolean;
  /** Entries for the same model file with another key (an older version of it). */
  readonly prefix: string;
}

export async function cacheEntry(cacheDir: string, modelPath: string): Promise<CacheEntry> {
  const stamps: string[] = [];
  for (const file of await graphFiles(modelPath)) {
    const info = await stat(file);
    stamps.push(`${file}:${info.size}:${info.mtimeMs}`);
  }
  const prefix = digest(modelPath);
  const dir = join(cacheDir, `${prefix}-${digest(JSON.stringify([stamps, ort.env.versions.common, process.arch]))}`);
  const model = join(dir, 'model.onnx');
  return { dir, model, exists: existsSync(model), prefix };
}

/** Session options that write the optimized graph (weights as external data) into `dir`. */
export function writeOptions(dir: string): ort.InferenceSession.SessionOptions {
  return {
    optimizedModelFilePath: join(dir, 'model.onnx'),
    extra: {
      session: {
        optimized_model_external_initializers_file_name: 'model.onnx_data',
        optimized_model_external_initializers_min_size_in_bytes: '1024',
      },
    },
  };
}

/** A fresh folder to write an entry into before it is renamed into place. */
export async function partialDir(entry: CacheEntry): Promise<string> {
  const dir = `${entry.dir}.partial-${process.pid}`;
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  return dir;
}

/**
 * Moves a written entry into place and removes the model's older entries. An entry whose files hold less than 90 %
 * of the source's bytes is refused: on the real-scale ControlNet ONNX Runtime wrote 131 MB of its 1.45 GB.
 */
export async function commitEntry(entry: CacheEntry, written: string, sourceBytes: number): Promise<void> {
  if (!existsSync(join(written, 'model.onnx'))) throw new Error('ONNX Runtime wrote no optimized graph');
  let bytes = 0;
  for (const file of await readdir(written)) bytes += (await stat(join(written, file))).size;
  if (bytes < 0.9 * sourceBytes) throw new Error(`the optimized graph holds ${bytes} of ${sourceBytes} bytes`);
  await rename(written, entry.dir);
  const parent = join(entry.dir, '..');
  const name = entry.dir.slice(parent.length + 1);
  for (const other of await readdir(parent)) {
    if (other.startsWith(`${entry.prefix}-`) && other !== name && !other.includes('.partial-')) {
      await rm(join(parent, other), { recursive: true, force: true });
    }
  }
}

/** Removes an entry (unreadable, or half-written). */
export async function dropEntry(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
}
