import { readdir, stat } from 'node:fs/promises';
import { basename, extname, join, resolve } from 'node:path';
import { IirError } from '../../shared/errors';
import { describeReadError } from '../image/fileErrors';

/** File name endings a batch picks up from a folder (the formats the editor reads). */
export const batchImageExtensions: readonly string[] = [
  '.jpg',
  '.jpeg',
  '.png',
  '.webp',
  '.tif',
  '.tiff',
  '.avif',
  '.gif',
];

/** Formats a result is written in as it came; any other source is written as PNG. */
const keptExtensions: Readonly<Record<string, string>> = {
  '.jpg': '.jpg',
  '.jpeg': '.jpeg',
  '.png': '.png',
  '.webp': '.webp',
};

const isImageName = (name: string): boolean =>
  !name.startsWith('.') && batchImageExtensions.includes(extname(name).toLowerCase());

async function kindOf(path: string): Promise<'file' | 'folder'> {
  try {
    const info = await stat(path);
    if (info.isDirectory()) return 'folder';
    if (info.isFile()) return 'file';
  } catch (error) {
    throw describeReadError(path, error);
  }
  throw new IirError('invalid_argument', `${basename(path)} is neither a photo nor a folder`);
}

/**
 * The photos of a batch, in a stable order: each folder's images (not its sub-folders, sorted by name), then each
 * named file, without repeats. A named file must be an image by its ending; a folder without images is an error.
 */
export async function listBatchInputs(args: readonly string[]): Promise<string[]> {
  const seen = new Set<string>();
  const inputs: string[] = [];
  const add = (path: string): void => {
    if (seen.has(path)) return;
    seen.add(path);
    inputs.push(path);
  };
  for (const arg of args) {
    const path = resolve(arg);
    if ((await kindOf(path)) === 'file') {
      if (!isImageName(basename(path))) {
        throw new IirError(
          'invalid_argument',
          `${basename(path)} is not a photo this batch reads (${batchImageExtensions.join(', ')})`,
        );
      }
      add(path);
      continue;
    }
    const entries = await readdir(path, { withFileTypes: true });
    const names = entries.filter((e) => e.isFile() && isImageName(e.name)).map((e) => e.name);
    if (names.length === 0) throw new IirError('invalid_argument', `${basename(path)} holds no photos`);
    for (const name of names.sort()) add(join(path, name));
  }
  return inputs;
}

/**
 * Where each input's result goes in `outDir`: the same name and format (PNG for formats the editor does not write),
 * with `-2`, `-3`… when two inputs would collide. Depends only on the whole input list, so a re-run maps every photo
 * to the same output and can resume.
 */
export function outputPaths(inputs: readonly string[], outDir: string): Map<string, string> {
  const taken = new Set<string>();
  const paths = new Map<string, string>();
  for (const input of inputs) {
    const ext = extname(input);
    const stem = basename(input, ext);
    const outExt = keptExtensions[ext.toLowerCase()] ?? '.png';
    let name = `${stem}${outExt}`;
    for (let n = 2; taken.has(name.toLowerCase()); n++) name = `${stem}-${n}${outExt}`;
    taken.add(name.toLowerCase());
    paths.set(input, join(outDir, name));
  }
  return paths;
}
