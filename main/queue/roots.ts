import { createHash } from 'node:crypto';
import { lstat, readFile, realpath } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, relative, sep } from 'node:path';
import { IirError } from '../../shared/errors';

const isInside = (root: string, path: string): boolean => {
  const rel = relative(root, path);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel) && !rel.startsWith(`..${sep}`));
};

/** The real form of each root folder (links resolved), checked to exist. */
export async function resolveRoots(roots: readonly string[], what: string): Promise<string[]> {
  return Promise.all(
    roots.map(async (root) => {
      try {
        return await realpath(root);
      } catch {
        throw new IirError('invalid_argument', `the ${what} folder ${root} does not exist`);
      }
    }),
  );
}

/**
 * The real path of a job's input, refused unless it lies inside one of `roots` (links resolved, so a link cannot
 * lead out), and unless its bytes still hash to what was submitted.
 */
export async function checkedInput(path: string, roots: readonly string[], sha256: string): Promise<string> {
  let real: string;
  try {
    real = await realpath(path);
  } catch {
    throw new IirError('not_found', `the job's photo ${basename(path)} is not there on this worker`);
  }
  if (!roots.some((root) => isInside(root, real))) {
    throw new IirError('invalid_argument', `the job's photo ${path} is outside this worker's input folders`);
  }
  const digest = createHash('sha256')
    .update(await readFile(real))
    .digest('hex');
  if (digest !== sha256)
    throw new IirError('invalid_argument', `${basename(path)} changed since the job was submitted`);
  return real;
}

/** The job's output path with its folder's links resolved, refused unless inside `roots` and not itself a link. */
export async function checkedOutput(path: string, roots: readonly string[]): Promise<string> {
  let folder: string;
  try {
    folder = await realpath(dirname(path));
  } catch {
    throw new IirError('not_found', `the job's output folder ${dirname(path)} is not there on this worker`);
  }
  const real = join(folder, basename(path));
  if (!roots.some((root) => isInside(root, real))) {
    throw new IirError('invalid_argument', `the job's output ${path} is outside this worker's output folders`);
  }
  const existing = await lstat(real).catch(() => undefined);
  if (existing?.isSymbolicLink()) throw new IirError('invalid_argument', `the job's output ${path} is a link`);
  return real;
}
