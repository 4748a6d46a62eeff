import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isIirError } from '../../../shared/errors';
import { writeFileAtomic, writeFilesAtomic } from '../../../main/files/atomicWrite';
import { pendingLicenses, recordAccepted } from '../../../main/models/licenses';
import { readReceipt, writeReceipt, type Receipt } from '../../../main/models/receipt';
import { scratch } from './helpers';

const leftovers = (dir: string) => readdirSync(dir).filter((name) => name.endsWith('.tmp'));

const license = (id: string) => ({ id, name: `Licence ${id}`, url: `https://example.com/${id}`, summary: 'Be nice.' });

function receipt(id: string, title: string): Receipt {
  return {
    schema: 1,
    id,
    title,
    role: 'tokenizer',
    source: { kind: 'download', repo: 'org/repo', revision: 'main', from: 'https://huggingface.co' },
    license: null,
    location: null,
    files: [],
    installedAt: '2026-01-01T00:00:00.000Z',
  };
}

describe('one atomic write helper', () => {
  it('two first pulls at once both record their licence acceptance (no shared temporary name)', async () => {
    const modelsDir = join(scratch('trust-atomic'), 'models');
    await Promise.all([recordAccepted(modelsDir, [license('a')]), recordAccepted(modelsDir, [license('b')])]);
    expect(await pendingLicenses(modelsDir, [license('a'), license('b')])).toEqual([]);
    expect(leftovers(modelsDir)).toEqual([]);
  });

  it('concurrent writers of one receipt each succeed and leave one whole file', async () => {
    const dir = scratch('trust-atomic');
    const titles = Array.from({ length: 16 }, (_, i) => `writer ${i} `.repeat(200));
    await Promise.all(titles.map((title) => writeReceipt(dir, receipt('tiny', title))));
    expect(titles).toContain((await readReceipt(dir))?.title);
    expect(leftovers(dir)).toEqual([]);
  });

  it('concurrent writers of one file: every call resolves and the file is one writer’s bytes', async () => {
    const dir = scratch('trust-atomic');
    const target = join(dir, 'state.json');
    const contents = Array.from({ length: 32 }, (_, i) => Buffer.alloc(64 * 1024, i + 1));
    await Promise.all(contents.map((bytes) => writeFileAtomic(target, bytes)));
    const written = readFileSync(target);
    expect(contents.some((bytes) => bytes.equals(written))).toBe(true);
    expect(leftovers(dir)).toEqual([]);
  });

  it('a failed rename leaves no temporary file and a one-line error', async () => {
    const dir = scratch('trust-atomic');
    const target = join(dir, 'occupied');
    mkdirSync(join(target, 'inside'), { recursive: true });
    const error: unknown = await writeFileAtomic(target, 'x').catch((e: unknown) => e);
    expect(isIirError(error) && error.code).toBe('io_error');
    expect((error as Error).message).toMatch(/^cannot write .*occupied: /);
    expect(leftovers(dir)).toEqual([]);
  });

  it('overwrite: false refuses an existing file, replaces nothing and takes back what it placed', async () => {
    const dir = scratch('trust-atomic');
    writeFileSync(join(dir, 'b.png'), 'the user’s photo');
    const files = [
      { path: join(dir, 'a.png'), bytes: 'new a' },
      { path: join(dir, 'b.png'), bytes: 'new b' },
    ];
    await expect(writeFilesAtomic(files, { overwrite: false })).rejects.toThrow(/b\.png already exists/);
    expect(readFileSync(join(dir, 'b.png'), 'utf8')).toBe('the user’s photo');
    expect(readdirSync(dir)).toEqual(['b.png']);
  });
});

describe('a full disk', () => {
  const mountPoint = scratch('trust-tmpfs');
  let mounted = false;
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', mountPoint], { stdio: 'ignore' });
    mounted = true;
  } catch {
    // Not root, or no mount in this container.
  }
  afterAll(() => {
    if (mounted) execFileSync('umount', [mountPoint]);
  });

  it.skipIf(!mounted)('a write that runs out of space keeps the old file and leaves no temporary', async () => {
    const target = join(mountPoint, 'settings.json');
    writeFileSync(target, '{"old":true}');
    const error: unknown = await writeFileAtomic(target, Buffer.alloc(256 * 1024, 1)).catch((e: unknown) => e);
    expect(isIirError(error) && error.message).toBe(
      `disk full: could not write ${target}; free some space and try again`,
    );
    expect(readFileSync(target, 'utf8')).toBe('{"old":true}');
    expect(leftovers(mountPoint)).toEqual([]);
  });
});
