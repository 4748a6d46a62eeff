import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  declaredLength,
  parseContentRange,
  parseUnsatisfiedRange,
  verifyPart,
} from '../../../main/models/downloadSupport';
import type { FileResult } from '../../../main/models/downloadFile';
import type { PullOptions } from '../../../main/models/pull';
import { buildReceipt, checkFreeSpace, type PlannedFile } from '../../../main/models/pullStages';
import { OneTimeNonces } from '../../../main/server/auth';
import { cacheDir } from '../../setup/global';

async function scratch(): Promise<string> {
  await mkdir(join(cacheDir, 'stages'), { recursive: true });
  return mkdtemp(join(cacheDir, 'stages', 's-'));
}

const signal = new AbortController().signal;

describe('download stages', () => {
  it('reads the length and range headers, refusing what is not a safe integer', () => {
    expect(declaredLength('1234')).toBe(1234);
    expect(declaredLength(undefined)).toBeNull();
    expect(declaredLength('-1')).toBeNull();
    expect(declaredLength('1e400')).toBeNull();
    expect(parseContentRange('bytes 100-199/200')).toEqual({ start: 100, total: 200 });
    expect(parseContentRange('bytes 100-199/*')).toEqual({ start: 100, total: null });
    expect(parseUnsatisfiedRange('bytes */4096')).toBe(4096);
  });

  it('verifyPart: an empty file is refused and removed; size, then SHA-256, decide', async () => {
    const dir = await scratch();
    const empty = join(dir, 'empty.part');
    await writeFile(empty, '');
    await expect(verifyPart(empty, null, 0, { bytes: null, sha256: null, label: 'e' }, signal)).rejects.toThrow(
      /e: the server sent an empty file/,
    );
    expect(existsSync(empty)).toBe(false);
    const part = join(dir, 'a.part');
    await writeFile(part, 'hello');
    const sha = createHash('sha256').update('hello').digest('hex');
    expect(await verifyPart(part, null, 5, { bytes: 5, sha256: sha, label: 'a' }, signal)).toBe('ok');
    expect(await verifyPart(part, null, 5, { bytes: 6, sha256: sha, label: 'a' }, signal)).toMatchObject({
      reason: 'size: expected 6 bytes, found 5',
    });
    expect(await verifyPart(part, null, 5, { bytes: null, sha256: '0'.repeat(64), label: 'a' }, signal)).toMatchObject({
      found: sha,
    });
  });
});

function planned(path: string, bytes: number | null, dest: string): PlannedFile {
  return {
    entry: { url: `https://huggingface.co/o/r/resolve/main/${path}`, path, bytes, sha256: null },
    dest,
    url: '',
    done: null,
    bytes,
    sha256: null,
    hubSha256: null,
  };
}

function pullOptions(extra: Partial<PullOptions>): PullOptions {
  return {
    modelsDir: '/models',
    model: {
      id: 'm',
      title: 'M',
      role: 'sam',
      license: 'mit',
      files: [
        { url: 'https://huggingface.co/o/r/resolve/main/a.onnx', path: 'a.onnx', bytes: null, sha256: null },
        {
          url: 'https://huggingface.co/o/r/resolve/main/x.json',
          path: 'x.json',
          bytes: null,
          sha256: null,
          optional: true,
        },
      ],
    },
    license: null,
    hub: { endpoint: 'https://huggingface.co', token: null },
    ...extra,
  };
}

describe('pull stages', () => {
  it('checkFreeSpace counts what is still to fetch (minus the .part) plus the margin', async () => {
    const dir = await scratch();
    await writeFile(join(dir, 'a.part'), Buffer.alloc(400));
    const files = [planned('a', 1000, join(dir, 'a')), planned('b', null, join(dir, 'b'))];
    const statfs = (free: number) => () => Promise.resolve({ bavail: free, bsize: 1 });
    await expect(checkFreeSpace(dir, files, pullOptions({ statfs: statfs(700), diskMarginBytes: 100 }))).resolves.toBe(
      undefined,
    );
    await expect(
      checkFreeSpace(dir, files, pullOptions({ statfs: statfs(699), diskMarginBytes: 100 })),
    ).rejects.toThrow(/needs 600 B more \(\+ 100 B margin\), 699 B free/);
  });

  it('buildReceipt records where each hash was checked, and leaves out a skipped optional file', () => {
    const results = new Map<string, FileResult>([
      ['a.onnx', { path: 'a.onnx', bytes: 3, sha256: 'f'.repeat(64), checkedAgainst: 'none' }],
    ]);
    const receipt = buildReceipt(pullOptions({}), results);
    expect(receipt.files).toEqual([{ path: 'a.onnx', bytes: 3, sha256: 'f'.repeat(64), checkedAgainst: 'none' }]);
    expect(receipt.source).toMatchObject({ kind: 'download', from: 'https://huggingface.co' });
  });
});

describe('one-time URLs', () => {
  it('redeems a nonce once, before it expires, and nothing else', () => {
    let now = 0;
    const nonces = new OneTimeNonces(() => now);
    const first = nonces.issue();
    expect(nonces.redeem(first)).toBe(true);
    expect(nonces.redeem(first)).toBe(false);
    expect(nonces.redeem('made-up')).toBe(false);
    expect(nonces.redeem(null)).toBe(false);
    const late = nonces.issue();
    now = 5 * 60_000 + 1;
    expect(nonces.redeem(late)).toBe(false);
  });
});
