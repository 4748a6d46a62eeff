import { createHash, type Hash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile, rm, stat } from 'node:fs/promises';
import { writeFileAtomic } from '../files/atomicWrite';
import { CancelledError, IirError } from '../../shared/errors';

/** What the `.part.json` sidecar remembers between runs, to resume only against the same version of the file. */
export interface PartMeta {
  url: string;
  etag: string | null;
  lastModified: string | null;
  total: number | null;
  linkedSha256: string | null;
}

/** A failure worth another attempt (network, stall, 5xx, a short or over-long body). */
export class RetryableError extends Error {}

export const retryableStatus = new Set([408, 425, 429, 500, 502, 503, 504]);

export async function sizeOf(path: string): Promise<number> {
  try {
    return (await stat(path)).size;
  } catch {
    return 0;
  }
}

export async function readMeta(path: string): Promise<PartMeta | null> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as PartMeta;
  } catch {
    return null;
  }
}

export async function writeMeta(path: string, meta: PartMeta): Promise<void> {
  await writeFileAtomic(path, JSON.stringify(meta));
}

export async function hashPrefix(path: string, length: number, hash: Hash, signal: AbortSignal): Promise<void> {
  if (length === 0) return;
  for await (const chunk of createReadStream(path, { start: 0, end: length - 1, signal })) hash.update(chunk as Buffer);
}

/** SHA-256 of the first `length` bytes of `path`. */
export async function hashFile(path: string, length: number, signal: AbortSignal): Promise<string> {
  const hash = createHash('sha256');
  await hashPrefix(path, length, hash, signal);
  return hash.digest('hex');
}

export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(new CancelledError());
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(new CancelledError());
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

export function strongEtag(etag: string | null | undefined): string | null {
  return etag && !etag.startsWith('W/') ? etag : null;
}

export function parseContentRange(value: string | undefined): { start: number; total: number | null } | null {
  const m = value ? /^bytes\s+(\d+)-(\d+)\/(\d+|\*)$/i.exec(value.trim()) : null;
  if (!m) return null;
  return { start: Number(m[1]), total: m[3] === '*' ? null : Number(m[3]) };
}

export function parseUnsatisfiedRange(value: string | undefined): number | null {
  const m = value ? /^bytes\s+\*\/(\d+)$/i.exec(value.trim()) : null;
  return m ? Number(m[1]) : null;
}

/** A declared length header as a number, or null when absent or not a safe integer. */
export function declaredLength(value: string | undefined): number | null {
  if (value === undefined) return null;
  const n = Number(value);
  return Number.isSafeInteger(n) && n >= 0 ? n : null;
}

export function errorReason(error: unknown): string {
  const e = error as { code?: string; message?: string };
  return e.code ?? e.message ?? 'error';
}

/** The outcome of checking a finished `.part`: `ok`, or what was found instead of what was expected. */
export type Verdict = 'ok' | { found: string; reason: string };

/**
 * Checks a finished `.part`: never empty, the expected size, and the expected SHA-256 when one is known (`hash`
 * holds the running digest; without it the file is hashed again).
 */
export async function verifyPart(
  part: string,
  hash: Hash | null,
  length: number,
  expected: { bytes: number | null; sha256: string | null; label: string },
  signal: AbortSignal,
): Promise<Verdict> {
  if (length === 0) {
    await rm(part, { force: true });
    throw new IirError('io_error', `${expected.label}: the server sent an empty file; refusing to install it`);
  }
  if (expected.bytes !== null && length !== expected.bytes) {
    return { found: `${length} bytes`, reason: `size: expected ${expected.bytes} bytes, found ${length}` };
  }
  if (expected.sha256 === null) return 'ok';
  const digest = hash ? hash.copy().digest('hex') : await hashFile(part, length, signal);
  return digest === expected.sha256
    ? 'ok'
    : { found: digest, reason: `SHA-256: expected ${expected.sha256}, found ${digest}` };
}
