/**
 * What every variant made on this machine from an installed model shares (`models quantize`, `models widen`):
 * a free-space check before anything is written, a lock, a hidden staging folder into which unchanged files are
 * hard-linked and new ones written, the receipt, and one rename into place, so a model folder is never
 * half-written and the source's files are only read.
 */
import { copyFile, link, lstat, mkdir, readdir, rename, rm, stat, statfs } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { IirError, invalidArgument } from '../../shared/errors';
import { formatBytes } from '../../shared/format';
import { modelIdSchema } from './catalogSchema';
import { acquireLock } from './lock';
import { modelDir, writeReceipt, type Receipt } from './receipt';

export type FileEntry = Receipt['files'][number];

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
