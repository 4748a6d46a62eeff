import { type Stats, constants } from 'node:fs';
import { type FileHandle, open, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { maxImageBytes } from '../../shared/api/images';
import { IirError, invalidArgument } from '../../shared/errors';
import { describeReadError } from '../image/fileErrors';

/** What a path that is not a regular file is, in the user's words (null for a regular file). */
function kindOf(s: Stats): string | null {
  if (s.isFile()) return null;
  if (s.isDirectory()) return 'a folder';
  if (s.isFIFO()) return 'a named pipe (FIFO)';
  if (s.isSocket()) return 'a socket';
  if (s.isCharacterDevice() || s.isBlockDevice()) return 'a device';
  return 'not a regular file';
}

function mebibytes(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(bytes < 10 * 1024 * 1024 ? 1 : 0)} MiB`;
}

/** What {@link readRegularFile} accepts, and how its messages name the file. */
export interface ReadLimits {
  readonly maxBytes: number;
  /** What the file should be, for messages ("an image file"). */
  readonly expected: string;
  /** How messages name the file (default: its base name). */
  readonly name?: string;
}

/** Refuses what is not a regular file of at most `maxBytes`, naming what it is. */
function checkStats(s: Stats, name: string, limits: ReadLimits): void {
  const kind = kindOf(s);
  if (kind) throw invalidArgument(`cannot open ${name}: it is ${kind}, not ${limits.expected}`);
  if (s.size > limits.maxBytes) {
    throw invalidArgument(
      `cannot open ${name}: it is ${mebibytes(s.size)}; the limit is ${mebibytes(limits.maxBytes)}`,
    );
  }
}

// O_NONBLOCK: opening a FIFO that slipped in after the check must not wait for a writer (and hold a pool thread).
const readFlags = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0) | (constants.O_NOCTTY ?? 0);

/** Reads at most the `size` bytes fstat promised; a file that grew meanwhile is refused, not read on. */
async function readBounded(handle: FileHandle, name: string, size: number): Promise<Uint8Array> {
  const buffer = Buffer.allocUnsafe(size);
  let offset = 0;
  while (offset < size) {
    const { bytesRead } = await handle.read(buffer, offset, Math.min(size - offset, 4 * 1024 * 1024), offset);
    if (bytesRead === 0) break;
    offset += bytesRead;
  }
  if (offset === size && (await handle.read(Buffer.alloc(1), 0, 1, size)).bytesRead > 0) {
    throw new IirError('io_error', `cannot open ${name}: it changed while being read; try again`);
  }
  return buffer.subarray(0, offset);
}

/**
 * Reads a file named by a request or a setting, safely: only a regular file, checked (stat, then fstat of what was
 * opened) before any byte is read; its size against `maxBytes`; read into one buffer of that size, never past it.
 * Devices (`/dev/zero`), FIFOs, sockets and folders are refused by name (`invalid_argument`); other file-system
 * errors are thrown as they are, for the caller to word.
 */
export async function readRegularFile(path: string, limits: ReadLimits): Promise<Uint8Array> {
  const name = limits.name ?? basename(path);
  checkStats(await stat(path), name, limits);
  const handle = await open(path, readFlags);
  try {
    const s = await handle.stat();
    checkStats(s, name, limits);
    return await readBounded(handle, name, s.size);
  } finally {
    await handle.close();
  }
}

/** An image file a request names, within the upload limit ({@link maxImageBytes}); errors are one human line. */
export async function readImageFile(path: string, maxBytes: number = maxImageBytes): Promise<Uint8Array> {
  try {
    return await readRegularFile(path, { maxBytes, expected: 'an image file' });
  } catch (error) {
    if (error instanceof IirError) throw error;
    throw describeReadError(path, error);
  }
}
