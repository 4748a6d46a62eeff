import { lstat, readdir, rmdir, unlink } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { IirError, invalidArgument } from '../../shared/errors';
import { acquireLock } from './lock';
import { readState } from './pullStages';
import { modelDir, readReceipt } from './receipt';
import { safeJoin } from './safePath';

/** Regular files under `dir` (links are listed apart and never followed), as `/`-separated relative paths. */
async function regularFiles(dir: string): Promise<{ files: string[]; others: number }> {
  const files: string[] = [];
  let others = 0;
  const walk = async (current: string): Promise<void> => {
    for (const entry of await readdir(current, { withFileTypes: true })) {
      const full = join(current, entry.name);
      if (entry.isDirectory()) await walk(full);
      else if (entry.isFile()) files.push(relative(dir, full).split(sep).join('/'));
      else others++;
    }
  };
  await walk(dir);
  return { files, others };
}

/** Removes the empty folders under `dir` (deepest first), then `dir` itself when it is empty. */
async function removeEmptyFolders(dir: string): Promise<void> {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    if (entry.isDirectory()) await removeEmptyFolders(join(dir, entry.name));
  }
  await rmdir(dir).catch(() => undefined);
}

/** A temporary name's final name: `.<name>.<pid>.<hex>.tmp` (the atomic-write helper) or `<name>.tmp`. */
function finalName(fileName: string): string {
  return /^\.(.+)\.\d+\.[0-9a-f]+\.tmp$/.exec(fileName)?.[1] ?? fileName.replace(/\.tmp$/, '');
}

/** The folder-relative paths a download of these catalog files writes before the receipt. */
function downloadPaths(files: readonly string[], finished: ReadonlySet<string>): Set<string> {
  const paths = new Set(['.pull-state.json']);
  for (const file of files) {
    for (const suffix of ['.part', '.part.json', '.bad']) paths.add(`${file}${suffix}`);
    if (finished.has(file)) paths.add(file);
  }
  return paths;
}

/**
 * Deletes what a cancelled or paused download of catalog model `id` left in the models folder and answers the bytes
 * freed: the `.part` files of its catalog files (`files`), their metadata, `.bad` copies and the pull state, and, when
 * the model was never installed, the files that pull had finished (as its pull state names them). Nothing else: not
 * an installed model's files, not a file the user put there (even one named `.part`), nothing through a link, nothing
 * outside `<modelsDir>/<id>`. Refused while a pull of it runs (its lock is held).
 */
export async function deletePartial(
  modelsDir: string,
  id: string,
  files: readonly string[],
): Promise<{ freedBytes: number; remaining: number }> {
  const entry = modelDir(modelsDir, id);
  const s = await lstat(entry).catch(() => null);
  if (!s) throw new IirError('not_found', `nothing of "${id}" is in ${modelsDir}`);
  if (s.isSymbolicLink() || !s.isDirectory()) {
    throw invalidArgument(`refusing to delete in ${entry}: it is not a model folder`);
  }
  const isInstalled = (await readReceipt(entry).catch(() => null)) !== null;
  const state = isInstalled ? { files: {} } : await readState(entry);
  const doomed = downloadPaths(files, new Set(Object.keys(state.files)));
  const release = await acquireLock(join(entry, '.pull.lock'), `model "${id}"`);
  let freedBytes = 0;
  let remaining = 0;
  try {
    const listing = await regularFiles(entry);
    remaining += listing.others;
    for (const path of listing.files) {
      const name = path.split('/').pop()!;
      if (name.startsWith('.pull.lock')) continue;
      const final = [...path.split('/').slice(0, -1), finalName(name)].join('/');
      if (!doomed.has(final)) {
        remaining++;
        continue;
      }
      // safeJoin refuses a path through a link that appeared since the listing.
      const full = await safeJoin(entry, path);
      const file = await lstat(full);
      if (!file.isFile()) continue;
      await unlink(full);
      freedBytes += file.size;
    }
  } finally {
    await release();
  }
  if (!isInstalled && remaining === 0) await removeEmptyFolders(entry);
  return { freedBytes, remaining };
}
