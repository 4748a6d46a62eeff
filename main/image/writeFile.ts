import { basename, extname } from 'node:path';
import { invalidArgument } from '../../shared/errors';
import type { OutputFormat } from './encode';
import type { ExportFormat } from './exportStored';

export { type PendingFile, writeFileAtomic, writeFilesAtomic } from '../files/atomicWrite';

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
