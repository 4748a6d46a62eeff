import { randomBytes } from 'node:crypto';
import { link, lstat, mkdir, open, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { IirError, throwIfCancelled } from '../../shared/errors';
import { describeWriteError } from '../image/fileErrors';

/** One file to write with {@link writeFilesAtomic}. */
export interface PendingFile {
  readonly path: string;
  /** The contents (text is written as UTF-8). */
  readonly bytes: Uint8Array | string;
}

/** Options of {@link writeFilesAtomic}. */
export interface AtomicWriteOptions {
  /** Checked once every temporary file is written, before anything is renamed into place. */
  readonly signal?: AbortSignal | undefined;
  /** False: refuse (`invalid_argument`) to replace a file that exists, atomically, and replace nothing. */
  readonly overwrite?: boolean;
  /** Create the target folders first (for app data; never for a user's chosen output). */
  readonly createFolders?: boolean;
}

/** A temporary name beside `path`, unique across processes and concurrent writers in one process. */
function tempPathFor(path: string): string {
  return join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
}

async function removeQuietly(path: string): Promise<void> {
  await unlink(path).catch(() => undefined);
}

/** Writes and flushes a new file (`wx`: never through a file or link already there). */
async function writeDurably(path: string, bytes: Uint8Array | string): Promise<void> {
  const handle = await open(path, 'wx');
  try {
    await handle.writeFile(bytes);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Flushes a folder's entries after renames, where the platform allows opening a folder (not Windows). */
async function syncFolder(dir: string): Promise<void> {
  if (process.platform === 'win32') return;
  const handle = await open(dir, 'r').catch(() => null);
  if (!handle) return;
  await handle.sync().catch(() => undefined);
  await handle.close();
}

function alreadyExists(path: string): IirError {
  return new IirError('invalid_argument', `${path} already exists; nothing was replaced`);
}

/** Moves `temp` to `path` without replacing an existing file: a hard link fails atomically when `path` exists. */
async function placeNew(temp: string, path: string): Promise<void> {
  try {
    await link(temp, path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') throw alreadyExists(path);
    // File systems without hard links (FAT, some network shares): check, then rename.
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'ENOSYS' && code !== 'EXDEV') throw error;
    if (await lstat(path).catch(() => null)) throw alreadyExists(path);
    await rename(temp, path);
    return;
  }
  await removeQuietly(temp);
}

/**
 * The one way main writes a file: each file goes to a unique temporary name in its own folder, is flushed to disk,
 * then renamed into place, so a reader sees the old file or the new one, never half of one, and two writers of one
 * target never collide. On failure or cancellation the temporaries are removed and no target is replaced
 * (targets already placed by this call are taken back when `overwrite` is false). Errors are one human line.
 */
export async function writeFilesAtomic(files: readonly PendingFile[], options: AtomicWriteOptions = {}): Promise<void> {
  const temps: string[] = [];
  const placed: string[] = [];
  try {
    for (const file of files) {
      if (options.createFolders) await mkdir(dirname(file.path), { recursive: true });
      const temp = tempPathFor(file.path);
      temps.push(temp);
      await writeDurably(temp, file.bytes).catch((error: unknown) => {
        throw describeWriteError(file.path, error);
      });
    }
    throwIfCancelled(options.signal);
    for (const [i, file] of files.entries()) {
      try {
        if (options.overwrite === false) await placeNew(temps[i]!, file.path);
        else await rename(temps[i]!, file.path);
        placed.push(file.path);
      } catch (error) {
        throw error instanceof IirError ? error : describeWriteError(file.path, error);
      }
    }
  } catch (error) {
    await Promise.all(temps.map(removeQuietly));
    if (options.overwrite === false) await Promise.all(placed.map(removeQuietly));
    throw error;
  }
  for (const dir of new Set(files.map((file) => dirname(file.path)))) await syncFolder(dir);
}

/** Writes one file atomically: see {@link writeFilesAtomic}. */
export async function writeFileAtomic(
  path: string,
  bytes: Uint8Array | string,
  options: AtomicWriteOptions = {},
): Promise<void> {
  await writeFilesAtomic([{ path, bytes }], options);
}
