import { randomBytes } from 'node:crypto';
import { rename, unlink, writeFile } from 'node:fs/promises';
import { basename, dirname, extname, join } from 'node:path';
import { invalidArgument, throwIfCancelled } from '../../shared/errors';
import type { GrayImage, RgbImage } from '../../shared/image/types';
import { encodeImage, type EncodeOptions, type OutputFormat } from './encode';
import type { ExportFormat } from './exportStored';
import { describeWriteError } from './fileErrors';

function tempPathFor(path: string): string {
  return join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
}

async function removeQuietly(path: string): Promise<void> {
  await unlink(path).catch(() => undefined);
}

/** One file to write with {@link writeFilesAtomic}. */
export interface PendingFile {
  readonly path: string;
  readonly bytes: Uint8Array;
}

/**
 * Writes every file under a temporary name in its own folder, then renames them into place, so a reader never sees
 * a half-written file. On failure or cancellation (checked after all temporaries are written) nothing is left
 * behind: the temporaries are removed and no target is replaced.
 */
export async function writeFilesAtomic(files: readonly PendingFile[], signal?: AbortSignal): Promise<void> {
  const temps: string[] = [];
  try {
    for (const file of files) {
      const temp = tempPathFor(file.path);
      temps.push(temp);
      try {
        await writeFile(temp, file.bytes, { flag: 'wx' });
      } catch (error) {
        throw describeWriteError(file.path, error);
      }
    }
    throwIfCancelled(signal);
    for (const [i, file] of files.entries()) {
      try {
        await rename(temps[i]!, file.path);
      } catch (error) {
        throw describeWriteError(file.path, error);
      }
    }
  } catch (error) {
    await Promise.all(temps.map(removeQuietly));
    throw error;
  }
}

/** Writes one file atomically (temporary name in the same folder, then rename). */
export async function writeFileAtomic(path: string, bytes: Uint8Array, signal?: AbortSignal): Promise<void> {
  await writeFilesAtomic([{ path, bytes }], signal);
}

/** The output format a file name asks for (.png, .jpg/.jpeg, .webp). */
export function formatForPath(path: string): OutputFormat {
  const ext = extname(path).toLowerCase();
  if (ext === '.png') return 'png';
  if (ext === '.jpg' || ext === '.jpeg') return 'jpeg';
  if (ext === '.webp') return 'webp';
  throw invalidArgument(`cannot tell the format of ${basename(path)}: use a .png, .jpg or .webp name`);
}

/** The export format a file name asks for (.png, .jpg/.jpeg, .webp, .tif/.tiff). */
export function exportFormatForPath(path: string): ExportFormat {
  const ext = extname(path).toLowerCase();
  if (ext === '.tif' || ext === '.tiff') return 'tiff';
  if (ext === '.png' || ext === '.jpg' || ext === '.jpeg' || ext === '.webp') return formatForPath(path);
  throw invalidArgument(`cannot tell the format of ${basename(path)}: use a .png, .jpg, .webp or .tif name`);
}

/** Encodes and writes an image atomically; the format defaults to the one the file name asks for. */
export async function writeImageFile(
  path: string,
  rgb: RgbImage,
  alpha: GrayImage | null,
  options: Partial<EncodeOptions> & { signal?: AbortSignal } = {},
): Promise<void> {
  const { signal, ...encode } = options;
  const bytes = await encodeImage(rgb, alpha, { ...encode, format: encode.format ?? formatForPath(path) });
  await writeFileAtomic(path, bytes, signal);
}
