import { createHash } from 'node:crypto';
import { mkdtempSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sha256Cached } from '../../../main/engine/hashes';
import { cacheDir } from '../../setup/global';

describe('model file hashes', () => {
  it('hashes a file and reuses the hash while size and mtime are unchanged', async () => {
    const dir = mkdtempSync(join(cacheDir, 'hashes-'));
    const file = join(dir, 'model.onnx');
    const cachePath = join(dir, 'cache.json');
    writeFileSync(file, 'first version');
    const atime = new Date('2026-01-01T00:00:00Z');
    const mtime = new Date('2026-01-02T00:00:00Z');
    utimesSync(file, atime, mtime);
    const first = await sha256Cached(file, cachePath);
    expect(first).toBe(createHash('sha256').update('first version').digest('hex'));
    // same size, same mtime: the cached hash is returned without reading the file again
    writeFileSync(file, 'other version');
    utimesSync(file, atime, mtime);
    expect(await sha256Cached(file, cachePath)).toBe(first);
    // a new mtime makes it hash again
    utimesSync(file, atime, new Date(mtime.getTime() + 5000));
    expect(await sha256Cached(file, cachePath)).toBe(createHash('sha256').update('other version').digest('hex'));
  });
});
