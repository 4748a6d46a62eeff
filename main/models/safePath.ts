import { lstat } from 'node:fs/promises';
import { join } from 'node:path';
import { invalidArgument } from '../../shared/errors';
import { isSafeRelativePath } from './catalogSchema';

/**
 * Joins a manifest path onto a model folder, refusing anything that could land outside it: absolute paths, `..`,
 * and links anywhere along the way (a link planted in the folder could redirect a write elsewhere).
 */
export async function safeJoin(dir: string, relativePath: string): Promise<string> {
  if (!isSafeRelativePath(relativePath)) {
    throw invalidArgument(`refusing path "${relativePath}": it must stay inside the model folder`);
  }
  let current = dir;
  const segments = relativePath.split('/');
  for (const segment of segments) {
    current = join(current, segment);
    const stat = await lstat(current).catch(() => null);
    if (stat?.isSymbolicLink()) throw invalidArgument(`refusing path "${relativePath}": ${segment} is a link`);
  }
  return current;
}
