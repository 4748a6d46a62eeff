import { createHash, type Hash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { constants, open, readFile, rename, rm, stat, writeFile, type FileHandle } from 'node:fs/promises';
import type { Dispatcher } from 'undici';
import { CancelledError, IirError } from '../../shared/errors';
import { openUrl, redactUrl, type HubConfig, type OpenResponse } from './http';

/** One file to fetch into its final place. */
export interface FileJob {
  url: string;
  /** Absolute destination; the download goes to `<dest>.part` and is renamed on success. */
  dest: string;
  /** The manifest path, for messages and events. */
  label: string;
  bytes: number | null;
  sha256: string | null;
}

export type FileEvent =
  | { type: 'position'; file: string; position: number; total: number | null }
  | { type: 'retry'; file: string; attempt: number; delayMs: number; reason: string }
  | { type: 'restart'; file: string; reason: string }
  | { type: 'verifying'; file: string }
  | { type: 'mismatch'; file: string; expected: string; found: string; badPath: string };

/**
 * Test seam for the file system's write path. `limitWrite` says how many of `length` bytes the disk takes at
 * `position`; fewer than asked are written and then the write fails with ENOSPC, as a disk that fills up does.
 */
export interface WriteHooks {
  beforeWrite?(path: string, position: number, length: number): void;
  limitWrite?(path: string, position: number, length: number): number;
}

export interface FileDownloadOptions {
  hub?: HubConfig;
  dispatcher?: Dispatcher;
  signal: AbortSignal;
  /** No byte for this long = stalled; the request is dropped and retried. */
  stallMs: number;
  /** Consecutive attempts without progress before giving up (an attempt that moved bytes resets the count). */
  maxAttempts: number;
  backoffMs(failures: number): number;
  onEvent(event: FileEvent): void;
  hooks?: WriteHooks;
}

export interface FileResult {
  path: string;
  bytes: number;
  sha256: string;
  /** Where the expected hash came from; `none` when neither the catalog nor the hub published one. */
  checkedAgainst: 'catalog' | 'hub' | 'none';
}

/** What the `.part.json` sidecar remembers between runs, to resume only against the same version of the file. */
interface PartMeta {
  url: string;
  etag: string | null;
  lastModified: string | null;
  total: number | null;
  linkedSha256: string | null;
}

class RetryableError extends Error {}

const retryableStatus = new Set([408, 425, 429, 500, 502, 503, 504]);

async function sizeOf(path: string): Promise<number> {
  try {
    return (await stat(path)).size;
  } catch {
    return 0;
  }
}

async function readMeta(path: string): Promise<PartMeta | null> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as PartMeta;
  } catch {
    return null;
  }
}

async function writeMeta(path: string, meta: PartMeta): Promise<void> {
  await writeFile(`${path}.tmp`, JSON.stringify(meta));
  await rename(`${path}.tmp`, path);
}

async function hashPrefix(path: string, length: number, hash: Hash, signal: AbortSignal): Promise<void> {
  if (length === 0) return;
  for await (const chunk of createReadStream(path, { start: 0, end: length - 1, signal })) hash.update(chunk as Buffer);
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
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

function strongEtag(etag: string | null | undefined): string | null {
  return etag && !etag.startsWith('W/') ? etag : null;
}

function parseContentRange(value: string | undefined): { start: number; total: number | null } | null {
  const m = value ? /^bytes\s+(\d+)-(\d+)\/(\d+|\*)$/i.exec(value.trim()) : null;
  if (!m) return null;
  return { start: Number(m[1]), total: m[3] === '*' ? null : Number(m[3]) };
}

function parseUnsatisfiedRange(value: string | undefined): number | null {
  const m = value ? /^bytes\s+\*\/(\d+)$/i.exec(value.trim()) : null;
  return m ? Number(m[1]) : null;
}

function errorReason(error: unknown): string {
  const e = error as { code?: string; message?: string };
  return e.code ?? e.message ?? 'error';
}

/**
 * Downloads one file, resuming `<dest>.part` with HTTP Range validated by If-Range, retrying network errors, stalls
 * and 5xx with back-off, and verifying SHA-256 (hashing the prefix already on disk when resuming). A failure or a
 * cancel never deletes or shortens the `.part`; a hash mismatch moves it aside to `<dest>.bad` and starts over once.
 */
export async function downloadFile(job: FileJob, options: FileDownloadOptions): Promise<FileResult> {
  const part = `${job.dest}.part`;
  const metaPath = `${part}.json`;
  let failures = 0;
  let restartedAfterMismatch = false;

  for (;;) {
    if (options.signal.aborted) throw new CancelledError();
    const meta = await readMeta(metaPath);
    const offset = await sizeOf(part);
    let position = offset;
    const headers: Record<string, string> = { 'accept-encoding': 'identity' };
    if (offset > 0) {
      headers.range = `bytes=${offset}-`;
      const validator = strongEtag(meta?.etag) ?? meta?.lastModified ?? null;
      if (validator) headers['if-range'] = validator;
    }

    let response: OpenResponse | null = null;
    let handle: FileHandle | null = null;
    try {
      response = await openUrl(job.url, {
        headers,
        hub: options.hub,
        dispatcher: options.dispatcher,
        signal: options.signal,
        stallMs: options.stallMs,
      });
      const { status } = response;
      const etag = response.headers.etag ?? null;
      const expected = job.sha256 ?? response.linkedSha256 ?? meta?.linkedSha256 ?? null;
      const checkedAgainst = job.sha256 ? 'catalog' : expected ? 'hub' : 'none';
      const nextMeta = (total: number | null): PartMeta => ({
        url: job.url,
        etag,
        lastModified: response?.headers['last-modified'] ?? null,
        total,
        linkedSha256: response?.linkedSha256 ?? meta?.linkedSha256 ?? null,
      });

      if (status === 416) {
        await response.body.dump();
        const total = parseUnsatisfiedRange(response.headers['content-range']) ?? job.bytes;
        if (total !== offset) {
          options.onEvent({
            type: 'restart',
            file: job.label,
            reason: `server has ${total ?? '?'} bytes, .part has ${offset}`,
          });
        }
        // Either the .part is complete or the file changed on the server: the hash decides.
        const verdict = await verify(part, null, offset, expected, { ...job, bytes: job.bytes ?? total }, options);
        if (verdict === 'ok') return await finish(job, part, metaPath, checkedAgainst, options.signal);
        restartedAfterMismatch = await setAside(
          job,
          part,
          metaPath,
          verdict,
          expected,
          restartedAfterMismatch,
          options,
        );
        continue;
      }
      if (status === 401 || status === 403) {
        await response.body.dump();
        throw new IirError(
          'io_error',
          `${job.label}: access denied (HTTP ${status}) by ${new URL(response.finalUrl).host}; a gated repository needs its terms accepted on the hub and a token (HF_TOKEN)`,
        );
      }
      if (status === 404) {
        await response.body.dump();
        throw new IirError('not_found', `${job.label}: not found at ${redactUrl(response.finalUrl)} (HTTP 404)`);
      }
      if (retryableStatus.has(status)) {
        await response.body.dump();
        throw new RetryableError(`HTTP ${status}`);
      }
      if (status !== 200 && status !== 206) {
        await response.body.dump();
        throw new IirError('io_error', `${job.label}: unexpected HTTP ${status} from ${redactUrl(response.finalUrl)}`);
      }

      let total: number | null;
      const hash = createHash('sha256');
      handle = await open(part, constants.O_RDWR | constants.O_CREAT, 0o644);
      if (status === 206) {
        const range = parseContentRange(response.headers['content-range']);
        if (!range || range.start !== offset) {
          await response.body.dump();
          throw new RetryableError(
            `server answered a different range (${response.headers['content-range'] ?? 'none'})`,
          );
        }
        total = range.total;
        await hashPrefix(part, offset, hash, options.signal);
      } else {
        const length = Number(response.headers['content-length']);
        total = Number.isSafeInteger(length) && response.headers['content-length'] !== undefined ? length : job.bytes;
        if (offset > 0) {
          const sameVersion = etag !== null && etag === meta?.etag;
          const unknownVersion = etag === null || !meta?.etag;
          if (sameVersion || unknownVersion) {
            // The server ignored Range but sends the same file: rewrite it in place from byte 0, never shortening
            // the .part, so a failure now loses nothing that was already on disk.
            options.onEvent({ type: 'restart', file: job.label, reason: 'the server ignored the Range request' });
          } else {
            // If-Range failed: the file changed on the server, the old bytes belong to another version.
            options.onEvent({ type: 'restart', file: job.label, reason: 'the file changed on the server' });
            await handle.truncate(0);
          }
        }
        position = 0;
      }
      await writeMeta(metaPath, nextMeta(total));
      options.onEvent({ type: 'position', file: job.label, position, total });

      for await (const chunk of response.body as AsyncIterable<Buffer>) {
        if (options.signal.aborted) throw new CancelledError();
        if (total !== null && position + chunk.length > total)
          throw new RetryableError('server sent more bytes than announced');
        options.hooks?.beforeWrite?.(part, position, chunk.length);
        const accepted = options.hooks?.limitWrite?.(part, position, chunk.length) ?? chunk.length;
        let written = 0;
        while (written < accepted) {
          const { bytesWritten } = await handle.write(chunk, written, accepted - written, position + written);
          written += bytesWritten;
        }
        if (accepted < chunk.length) {
          position += accepted;
          throw Object.assign(new Error('no space left on device'), { code: 'ENOSPC' });
        }
        hash.update(chunk);
        position += chunk.length;
        if (position > offset) failures = 0;
        options.onEvent({ type: 'position', file: job.label, position, total });
      }
      if (total !== null && position < total) throw new RetryableError('connection closed early');
      // A server that ignored Range may send a shorter file than the old .part: drop the tail it does not have.
      if ((await handle.stat()).size > position) await handle.truncate(position);
      await handle.sync();
      await handle.close();
      handle = null;

      const verdict = await verify(part, hash, position, expected, job, options);
      if (verdict === 'ok') return await finish(job, part, metaPath, checkedAgainst, options.signal, hash);
      restartedAfterMismatch = await setAside(job, part, metaPath, verdict, expected, restartedAfterMismatch, options);
    } catch (error) {
      if (handle) await handle.close().catch(() => undefined);
      if (response) response.body.destroy();
      if (options.signal.aborted) throw new CancelledError();
      if (error instanceof IirError) throw error;
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOSPC' || code === 'EDQUOT') {
        throw new IirError(
          'io_error',
          `disk full while writing ${job.label}; the partial download (${position} bytes) is kept: free some space and pull again to resume`,
        );
      }
      if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') {
        throw new IirError('io_error', `cannot write ${part} (${code})`);
      }
      if (position > offset) failures = 0;
      failures += 1;
      if (failures >= options.maxAttempts) {
        throw new IirError(
          'io_error',
          `${job.label}: download failed ${failures} times in a row (${errorReason(error)}); ${await sizeOf(part)} bytes are kept in ${part}: pull again to resume`,
        );
      }
      const delayMs = options.backoffMs(failures);
      options.onEvent({ type: 'retry', file: job.label, attempt: failures, delayMs, reason: errorReason(error) });
      await sleep(delayMs, options.signal);
    }
  }

  async function finish(
    fileJob: FileJob,
    partPath: string,
    metaFile: string,
    checkedAgainst: FileResult['checkedAgainst'],
    signal: AbortSignal,
    hash?: Hash,
  ): Promise<FileResult> {
    let digest: string;
    if (hash) digest = hash.digest('hex');
    else {
      const h = createHash('sha256');
      await hashPrefix(partPath, await sizeOf(partPath), h, signal);
      digest = h.digest('hex');
    }
    const bytes = await sizeOf(partPath);
    await rename(partPath, fileJob.dest);
    await rm(metaFile, { force: true });
    return { path: fileJob.label, bytes, sha256: digest, checkedAgainst };
  }
}

type Verdict = 'ok' | { found: string; reason: string };

async function verify(
  part: string,
  hash: Hash | null,
  length: number,
  expected: string | null,
  job: FileJob,
  options: FileDownloadOptions,
): Promise<Verdict> {
  options.onEvent({ type: 'verifying', file: job.label });
  if (job.bytes !== null && length !== job.bytes) {
    return { found: `${length} bytes`, reason: `size: expected ${job.bytes} bytes, found ${length}` };
  }
  if (expected === null) return 'ok';
  let digest: string;
  if (hash) digest = hash.copy().digest('hex');
  else {
    const h = createHash('sha256');
    await hashPrefix(part, length, h, options.signal);
    digest = h.digest('hex');
  }
  return digest === expected ? 'ok' : { found: digest, reason: `SHA-256: expected ${expected}, found ${digest}` };
}

/** Keeps a copy that failed verification as `<dest>.bad`, says so, and allows one fresh start. */
async function setAside(
  job: FileJob,
  part: string,
  metaPath: string,
  verdict: Exclude<Verdict, 'ok'>,
  expected: string | null,
  alreadyRestarted: boolean,
  options: FileDownloadOptions,
): Promise<boolean> {
  const badPath = `${job.dest}.bad`;
  await rename(part, badPath);
  await rm(metaPath, { force: true });
  options.onEvent({
    type: 'mismatch',
    file: job.label,
    expected: expected ?? `${job.bytes} bytes`,
    found: verdict.found,
    badPath,
  });
  if (alreadyRestarted) {
    throw new IirError(
      'io_error',
      `${job.label}: failed verification twice (${verdict.reason}); the bad copy is kept at ${badPath}`,
    );
  }
  return true;
}
