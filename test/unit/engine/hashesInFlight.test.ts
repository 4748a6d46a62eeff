/** A warm-up's background hashing and the edit's ask for the same file at once: it is read once. */
import type * as nodeFs from 'node:fs';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { cacheDir } from '../../setup/global';

const reads = vi.hoisted(() => ({ paths: [] as string[] }));
vi.mock('node:fs', async (importOriginal) => {
  const fs = await importOriginal<typeof nodeFs>();
  const createReadStream = ((path: string, options?: Parameters<typeof fs.createReadStream>[1]) => {
    reads.paths.push(path);
    return fs.createReadStream(path, options);
  }) as typeof fs.createReadStream;
  return { ...fs, default: { ...fs, createReadStream }, createReadStream };
});

describe('model file hashes in flight', () => {
  it('two callers hashing one file at once share one read', async () => {
    const { sha256Cached } = await import('../../../main/engine/hashes');
    const dir = mkdtempSync(join(cacheDir, 'hashes-in-flight-'));
    const file = join(dir, 'weights.pb');
    writeFileSync(file, Buffer.alloc(8 * 1024 * 1024, 3));
    const [a, b] = await Promise.all([sha256Cached(file), sha256Cached(file)]);
    expect(a).toBe(b);
    expect(reads.paths.filter((path) => path === file)).toHaveLength(1);
  });
});
