/**
 * What every variant made on this machine from an installed model shares (`models quantize`, `models widen`):
 * a free-space check before anything is written, a lock, a hidden staging folder into which unchanged files are
 * hard-linked and new ones written, the receipt, and one rename into place, so a model folder is never
 * half-written and the source's files are only read.
 */
import { copyFile, link, lstat, mkdir, readdir, rename, rm, stat, statfs } from 'node:fs/promises';
import { dirname, join, sep } from 'node:path';
import { IirError, invalidArgument } from '../../shared/errors';
import { formatBytes } from '../../shared/format';
import { modelIdSchema } from './catalogSchema';
import { acquireLock } from './lock';
import { DATA_FILE, type WriteOptions, type WrittenFile } from './quantizeWrite';
import { modelDir, writeReceipt, type Receipt } from './receipt';

export type FileEntry = Receipt['files'][number];

/** How far the making of a variant is. */
export interface VariantProgress {
  /** The graph being rewritten (relative to the model folder), or null while linking and finishing. */
  readonly file: string | null;
  readonly bytesDone: number;
  readonly bytesTotal: number;
}

/** What to make a variant of, and who hears of it. */
export interface VariantOptions {
  readonly modelsDir: string;
  readonly id: string;
  readonly onProgress?: (progress: VariantProgress) => void;
  readonly signal?: AbortSignal | undefined;
}

/** One graph a variant rewrites: its path relative to the model folder, and the writer of its new files. */
export interface GraphRewrite {
  readonly path: string;
  readonly write: (outDir: string, options: WriteOptions) => Promise<readonly WrittenFile[]>;
}

/** What a variant is made from: the source's folder and receipt, and the files the rewritten graphs replace. */
export interface VariantSource {
  readonly dir: string;
  readonly receipt: Receipt;
  readonly replaced: ReadonlySet<string>;
}

/** A relative path as a receipt writes it (forward slashes on every platform). */
export const posix = (path: string): string => path.split(sep).join('/');

/**
 * Fills `staging`: every source file that is not replaced hard-linked, then each graph rewritten into its folder
 * (progress over `bytesTotal` source bytes), identical data files shared. Answers the receipt's files (sorted) and
 * those written.
 */
export async function writeVariantFiles(
  source: VariantSource,
  rewrites: readonly GraphRewrite[],
  bytesTotal: number,
  staging: string,
  options: Pick<VariantOptions, 'onProgress' | 'signal'>,
): Promise<{ files: FileEntry[]; written: FileEntry[] }> {
  const files: FileEntry[] = [];
  for (const f of source.receipt.files.filter((e) => !source.replaced.has(e.path))) {
    await linkInto(source.dir, staging, f.path);
    files.push({ ...f });
  }
  let bytesDone = 0;
  const written: FileEntry[] = [];
  for (const { path, write } of rewrites) {
    options.onProgress?.({ file: path, bytesDone, bytesTotal });
    const out = join(staging, dirname(path));
    await mkdir(out, { recursive: true });
    const onBytes = (n: number): void => {
      bytesDone += n;
      options.onProgress?.({ file: path, bytesDone, bytesTotal });
    };
    for (const w of await write(out, { signal: options.signal, onBytes })) {
      written.push({
        path: posix(join(dirname(path), w.path)),
        bytes: w.bytes,
        sha256: w.sha256,
        checkedAgainst: 'none',
      });
    }
  }
  await shareIdenticalData(staging, written, DATA_FILE);
  options.onProgress?.({ file: null, bytesDone, bytesTotal });
  files.push(...written);
  return { files: files.sort((a, b) => a.path.localeCompare(b.path)), written };
}

/** The receipt of `made.target`, made from model `made.from` by `tool` with `method`, with the source files it replaced. */
export function derivedReceipt(
  source: VariantSource,
  made: {
    from: string;
    target: string;
    title: string;
    method: NonNullable<Receipt['derived']>['method'];
    tool: string;
  },
  files: FileEntry[],
): Receipt {
  const { receipt } = source;
  return {
    schema: 1,
    id: made.target,
    title: made.title,
    role: receipt.role,
    source: { kind: 'derive', repo: receipt.source.repo, revision: receipt.source.revision, from: made.from },
    license: receipt.license,
    location: null,
    files,
    installedAt: new Date().toISOString(),
    derived: {
      from: made.from,
      method: made.method,
      tool: made.tool,
      sources: receipt.files.filter((f) => source.replaced.has(f.path)),
    },
  };
}

/** Fails with a one-line reason when `modelsDir` cannot hold `writtenBytes` (plus `keptBytes` across devices). */
export async function checkFreeSpace(
  modelsDir: string,
  sourceDir: string,
  space: { writtenBytes: number; keptBytes: number },
  target: string,
): Promise<void> {
  const sameDevice = (await stat(sourceDir)).dev === (await stat(modelsDir)).dev;
  const needed = space.writtenBytes + (sameDevice ? 0 : space.keptBytes) + 64 * 1024 * 1024;
  const fs = await statfs(modelsDir).catch(() => null);
  const free = fs ? fs.bavail * fs.bsize : Infinity;
  if (free < needed) {
    throw new IirError(
      'io_error',
      `not enough free space in ${modelsDir} for ${target}: it needs ${formatBytes(needed)}, ${formatBytes(free)} is free`,
    );
  }
}

/** Hard-links (or, across devices, copies) `path` of the source folder into the staging folder. */
export async function linkInto(sourceDir: string, staging: string, path: string): Promise<void> {
  const to = join(staging, path);
  await mkdir(dirname(to), { recursive: true });
  try {
    await link(join(sourceDir, path), to);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'EXDEV' && code !== 'EPERM' && code !== 'ENOTSUP') throw error;
    await copyFile(join(sourceDir, path), to);
  }
}

/** The UNet and the residual UNet of a set often hold the same weights: one copy of identical data files. */
export async function shareIdenticalData(staging: string, written: readonly FileEntry[], dataFile: string) {
  const seen = new Map<string, string>();
  for (const f of written.filter((e) => e.path.endsWith(dataFile))) {
    const first = seen.get(`${f.sha256}:${f.bytes}`);
    if (!first) {
      seen.set(`${f.sha256}:${f.bytes}`, f.path);
      continue;
    }
    await rm(join(staging, f.path));
    await link(join(staging, first), join(staging, f.path));
  }
}

function describeFailure(error: unknown, target: string): IirError {
  if (error instanceof IirError) return error;
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOSPC')
    return new IirError('io_error', `the disk filled up while writing ${target}; nothing was installed`);
  return new IirError(
    'io_error',
    `making ${target} failed (${code ?? (error as Error).message}); nothing was installed`,
  );
}

/** Refuses a variant id that is not a valid model id, or one that is already installed. */
export async function checkTarget(modelsDir: string, target: string): Promise<void> {
  if (!modelIdSchema.safeParse(target).success) {
    throw invalidArgument(`"${target}" is not a valid model id; the source's id is too long`);
  }
  if (await isInstalled(modelsDir, target)) {
    throw invalidArgument(`${target} is already installed; remove it first (models rm ${target})`);
  }
}

const isInstalled = (modelsDir: string, id: string): Promise<boolean> =>
  lstat(modelDir(modelsDir, id)).then(
    () => true,
    () => false,
  );

export interface StageOptions {
  readonly modelsDir: string;
  readonly target: string;
  /** The staging folders' prefix (`quantize`, `widen`): `.<kind>-<target>-<pid>`. */
  readonly kind: string;
  /** What the lock holder is making, for the message of a second run. */
  readonly what: string;
  /** Writes the variant's files into `staging` and returns its receipt. */
  readonly write: (staging: string) => Promise<Receipt>;
}

/** Makes `target` in a staging folder under the models folder's lock, then renames it into place. */
export async function stageVariant(options: StageOptions): Promise<Receipt> {
  const { modelsDir, target, kind } = options;
  const release = await acquireLock(join(modelsDir, `.${kind}-${target}.lock`), options.what);
  const staging = join(modelsDir, `.${kind}-${target}-${process.pid}`);
  try {
    const prefix = `.${kind}-${target}-`;
    for (const name of await readdir(modelsDir).catch(() => [] as string[])) {
      if (name.startsWith(prefix)) await rm(join(modelsDir, name), { recursive: true, force: true });
    }
    await mkdir(staging);
    const receipt = await options.write(staging);
    await writeReceipt(staging, receipt);
    if (await isInstalled(modelsDir, target)) {
      throw invalidArgument(`${target} appeared while it was being made; nothing was replaced`);
    }
    await rename(staging, modelDir(modelsDir, target));
    return receipt;
  } catch (error) {
    await rm(staging, { recursive: true, force: true }).catch(() => undefined);
    throw describeFailure(error, target);
  } finally {
    await release();
  }
}
