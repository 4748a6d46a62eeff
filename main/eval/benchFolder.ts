/**
 * A benchmark folder laid out as PIE-Bench's release (Ju et al. 2024):
 *
 *   <folder>/mapping_file.json       { "<id>": { "image_path": "0_random_140/000000000000.jpg",
 *                                                "original_prompt": "a [cat] sitting on a bench",
 *                                                "editing_prompt": "a [dog] sitting on a bench",
 *                                                "mask": [start, length, start, length, …],
 *                                                "editing_type_id": "0", … }, … }
 *   <folder>/annotation_images/<image_path>   the originals
 *   <edited>/<image_path>                     the edited images (default <folder>/edited; the same path with
 *                                             .png, .jpg or .jpeg also matches)
 *
 * `mask` is PIE-Bench's run-length code over the image's pixels in row order (pairs of start index and run length);
 * as in PIE-Bench's `mask_decode`, the one-pixel frame border counts as edited. `mask` may instead be the path of a
 * PNG mask inside the folder (white = edited). Brackets in the prompts (PIE-Bench marks the edited words) are removed.
 */
import { existsSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { z } from 'zod';
import { IirError, invalidArgument } from '../../shared/errors';
import type { Mask } from '../../shared/image/types';

const entrySchema = z.object({
  image_path: z.string().min(1),
  original_prompt: z.string(),
  editing_prompt: z.string(),
  mask: z.union([z.array(z.number().int().nonnegative()), z.string().min(1)]),
  editing_type_id: z.union([z.string(), z.number()]).optional(),
});

/** One benchmark case with resolved paths. */
export interface BenchCase {
  readonly id: string;
  readonly imagePath: string;
  readonly editedPath: string;
  readonly sourcePrompt: string;
  readonly targetPrompt: string;
  readonly editingType: string | null;
  /** Run-length code, or a PNG path. */
  readonly mask: readonly number[] | string;
}

const stripBrackets = (prompt: string): string => prompt.replace(/[[\]]/g, '');

function inside(root: string, rel: string, what: string): string {
  const path = resolve(root, rel);
  const back = relative(root, path);
  if (isAbsolute(rel) || back.startsWith('..') || isAbsolute(back)) {
    throw invalidArgument(`${what} ${rel} leaves the benchmark folder`);
  }
  return path;
}

function editedFor(editedDir: string, imagePath: string): string | null {
  const exact = inside(editedDir, imagePath, 'image_path');
  if (existsSync(exact)) return exact;
  const stem = exact.replace(/\.[^./\\]+$/, '');
  return ['.png', '.jpg', '.jpeg'].map((ext) => stem + ext).find((p) => existsSync(p)) ?? null;
}

async function readMapping(folder: string): Promise<Record<string, unknown>> {
  const path = join(folder, 'mapping_file.json');
  const text = await readFile(path, 'utf8').catch(() => {
    throw new IirError(
      'not_found',
      `${path} not found: a PIE-Bench folder holds mapping_file.json and annotation_images/`,
    );
  });
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw invalidArgument(`${path} is not valid JSON (${(error as Error).message.split('\n')[0]})`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw invalidArgument(`${path} must be an object of entries keyed by id`);
  }
  if (Object.keys(parsed).length === 0) throw invalidArgument(`${path} has no entries`);
  return parsed as Record<string, unknown>;
}

/** Reads and checks the whole folder before any work: every entry valid, every original and edited image there. */
export async function readBenchFolder(folderArg: string, editedArg: string | undefined): Promise<BenchCase[]> {
  const folder = resolve(folderArg);
  if (!(await stat(folder).catch(() => null))?.isDirectory())
    throw new IirError('not_found', `${folder} is not a folder`);
  const editedDir = resolve(editedArg ?? join(folder, 'edited'));
  if (!(await stat(editedDir).catch(() => null))?.isDirectory()) {
    throw new IirError('not_found', `no edited images: ${editedDir} is not a folder (give --edited <dir>)`);
  }
  const cases: BenchCase[] = [];
  const missing: string[] = [];
  for (const [id, raw] of Object.entries(await readMapping(folder))) {
    const parsed = entrySchema.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw invalidArgument(`mapping_file.json entry "${id}": ${issue.path.join('.') || 'entry'} ${issue.message}`);
    }
    const e = parsed.data;
    const imagePath = inside(join(folder, 'annotation_images'), e.image_path, 'image_path');
    if (!existsSync(imagePath)) throw new IirError('not_found', `entry "${id}": original ${imagePath} not found`);
    const editedPath = editedFor(editedDir, e.image_path);
    if (editedPath === null) missing.push(e.image_path);
    if (typeof e.mask === 'string' && !existsSync(inside(folder, e.mask, 'mask'))) {
      throw new IirError('not_found', `entry "${id}": mask ${e.mask} not found in ${folder}`);
    }
    cases.push({
      id,
      imagePath,
      editedPath: editedPath ?? '',
      sourcePrompt: stripBrackets(e.original_prompt),
      targetPrompt: stripBrackets(e.editing_prompt),
      editingType: e.editing_type_id === undefined ? null : String(e.editing_type_id),
      mask: typeof e.mask === 'string' ? inside(folder, e.mask, 'mask') : e.mask,
    });
  }
  if (missing.length > 0) {
    throw new IirError(
      'not_found',
      `${missing.length} of ${cases.length} edited images are missing in ${editedDir}, first: ${missing[0]}`,
    );
  }
  return cases;
}

/** PIE-Bench's `mask_decode`: runs set to 255, and the one-pixel border of the frame too. */
export function decodeRleMask(code: readonly number[], width: number, height: number, id: string): Mask {
  if (code.length % 2 !== 0) throw invalidArgument(`entry "${id}": mask has an odd number of values`);
  const length = width * height;
  const data = new Uint8Array(length);
  for (let i = 0; i < code.length; i += 2) {
    const start = code[i]!;
    if (start >= length)
      throw invalidArgument(`entry "${id}": mask run at ${start} is outside the ${width}×${height} image`);
    data.fill(255, start, Math.min(length, start + code[i + 1]!));
  }
  for (let x = 0; x < width; x++) {
    data[x] = 255;
    data[(height - 1) * width + x] = 255;
  }
  for (let y = 0; y < height; y++) {
    data[y * width] = 255;
    data[y * width + width - 1] = 255;
  }
  return { width, height, data };
}
