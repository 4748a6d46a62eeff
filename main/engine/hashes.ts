/**
 * SHA-256 of model files for the edit recipe, cached by path + size + mtime in a JSON file, so a multi-GB UNet is
 * hashed once, not on every edit.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../files/atomicWrite';

interface Entry {
  readonly size: number;
  readonly mtimeMs: number;
  readonly sha256: string;
}

const memory = new Map<string, Entry>();
/** Hashes being computed, by path, size and mtime: a warm-up's and the edit's ask once. */
const inFlight = new Map<string, Promise<string>>();
let loadedFrom: string | undefined;

async function loadCache(cachePath: string | undefined): Promise<void> {
  if (!cachePath || loadedFrom === cachePath) return;
  loadedFrom = cachePath;
  try {
    const parsed = JSON.parse(await readFile(cachePath, 'utf8')) as Record<string, Entry>;
    for (const [path, entry] of Object.entries(parsed)) {
      if (typeof entry?.sha256 === 'string' && !memory.has(path)) memory.set(path, entry);
    }
  } catch {
    // no cache yet, or an unreadable one: it is rebuilt
  }
}

async function saveCache(cachePath: string): Promise<void> {
  await writeFileAtomic(cachePath, JSON.stringify(Object.fromEntries(memory), null, 1), { createFolders: true });
}

function hashFile(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    createReadStream(path, { highWaterMark: 4 * 1024 * 1024 })
      .on('data', (chunk) => hash.update(chunk))
      .on('error', reject)
      .on('end', () => resolve(hash.digest('hex')));
  });
}

/**
 * Where the engine process keeps the models folder's file hashes (size and mtime as the key), so that a new engine
 * process does not read every weight again for its first recipe.
 */
export function modelHashCachePath(modelsDir: string): string {
  return join(modelsDir, '.cache', 'model-hashes.json');
}

/** Hex SHA-256 of the file at `path`, from the cache when its size and mtime are unchanged. */
export async function sha256Cached(path: string, cachePath?: string): Promise<string> {
  await loadCache(cachePath);
  const info = await stat(path);
  const known = memory.get(path);
  if (known && known.size === info.size && known.mtimeMs === info.mtimeMs) return known.sha256;
  const key = JSON.stringify([path, info.size, info.mtimeMs]);
  let hashing = inFlight.get(key);
  if (!hashing) {
    hashing = hashFile(path).finally(() => inFlight.delete(key));
    inFlight.set(key, hashing);
  }
  const sha256 = await hashing;
  memory.set(path, { size: info.size, mtimeMs: info.mtimeMs, sha256 });
  if (cachePath) await saveCache(cachePath).catch(() => undefined);
  return sha256;
}
