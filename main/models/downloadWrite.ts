import { formatBytes } from '../../shared/format';
import type { Hash } from 'node:crypto';
import { constants, open, rename, rm, statfs } from 'node:fs/promises';
import { dirname } from 'node:path';
import { CancelledError, IirError } from '../../shared/errors';
import { type Attempt, type Download, type FileResult, OverCeiling, defaultReserveCheckBytes } from './downloadFile';
import {
  type Verdict,
  RetryableError,
  declaredLength,
  hashFile,
  hashPrefix,
  parseContentRange,
  retryableStatus,
  sizeOf,
  verifyPart,
} from './downloadSupport';
import { redactUrl, type OpenResponse } from './http';

/** Refuses what no retry can fix (401/403/404, odd statuses) and retries what may pass (5xx, 429). */
export async function rejectStatus(label: string, response: OpenResponse): Promise<void> {
  const { status } = response;
  if (status === 200 || status === 206) return;
  await response.body.dump();
  if (status === 401 || status === 403) {
    throw new IirError(
      'io_error',
      `${label}: access denied (HTTP ${status}) by ${new URL(response.finalUrl).host}; a gated repository needs its terms accepted on the hub and a token (HF_TOKEN)`,
    );
  }
  if (status === 404) {
    throw new IirError('not_found', `${label}: not found at ${redactUrl(response.finalUrl)} (HTTP 404)`);
  }
  if (retryableStatus.has(status)) throw new RetryableError(`HTTP ${status}`);
  throw new IirError('io_error', `${label}: unexpected HTTP ${status} from ${redactUrl(response.finalUrl)}`);
}

/** Opens the `.part` where this response's bytes go; answers the file's total size as the server declares it. */
export async function openPart(download: Download, attempt: Attempt, response: OpenResponse): Promise<number | null> {
  const { job, options, part } = download;
  attempt.handle = await open(part, constants.O_RDWR | constants.O_CREAT, 0o644);
  if (response.status === 206) {
    const range = parseContentRange(response.headers['content-range']);
    if (!range || range.start !== attempt.offset) {
      await response.body.dump();
      throw new RetryableError(`server answered a different range (${response.headers['content-range'] ?? 'none'})`);
    }
    await hashPrefix(part, attempt.offset, attempt.hash, options.signal);
    return range.total;
  }
  if (attempt.offset > 0) {
    const etag = response.headers.etag ?? null;
    const sameVersion = etag !== null && etag === attempt.meta?.etag;
    const unknownVersion = etag === null || !attempt.meta?.etag;
    if (sameVersion || unknownVersion) {
      // The server ignored Range but sends the same file: rewrite it in place from byte 0, never shortening
      // the .part, so a failure now loses nothing that was already on disk.
      options.onEvent({ type: 'restart', file: job.label, reason: 'the server ignored the Range request' });
    } else {
      // If-Range failed: the file changed on the server, the old bytes belong to another version.
      options.onEvent({ type: 'restart', file: job.label, reason: 'the file changed on the server' });
      await attempt.handle.truncate(0);
    }
  }
  attempt.position = 0;
  return declaredLength(response.headers['content-length']) ?? job.bytes;
}

/**
 * Streams the body into the `.part` at the attempt's position: never past the file's ceiling, and never below the
 * disk reserve (checked before the first write and every `reserveCheckBytes` after).
 */
export async function writeBody(
  download: Download,
  attempt: Attempt,
  response: OpenResponse,
  total: number | null,
  ceiling: { bytes: number; kind: OverCeiling['kind'] | 'announced' },
): Promise<void> {
  const { job, options } = download;
  const reserve = options.reserveBytes ?? 0;
  const checkEvery = options.reserveCheckBytes ?? defaultReserveCheckBytes;
  let written = 0;
  let nextCheck = 0;
  for await (const chunk of response.body as AsyncIterable<Buffer>) {
    if (options.signal.aborted) throw new CancelledError();
    if (attempt.position + chunk.length > ceiling.bytes) {
      if (ceiling.kind === 'announced') throw new RetryableError('server sent more bytes than announced');
      throw new OverCeiling(ceiling.kind, ceiling.bytes);
    }
    if (reserve > 0 && written >= nextCheck) {
      await checkReserve(download, attempt.position, reserve);
      nextCheck = written + checkEvery;
    }
    await writeChunk(download, attempt, chunk);
    written += chunk.length;
    if (attempt.position > attempt.offset) download.failures = 0;
    options.onEvent({ type: 'position', file: job.label, position: attempt.position, total });
  }
}

async function checkReserve(download: Download, position: number, reserve: number): Promise<void> {
  const dir = dirname(download.part);
  const space = await (download.options.statfs ?? statfs)(dir);
  const free = space.bavail * space.bsize;
  if (free >= reserve) return;
  throw new IirError(
    'io_error',
    `disk full: ${formatBytes(free)} left where ${download.job.label} is written, below the ${formatBytes(reserve)} kept free; the partial download (${position} bytes) is kept: free some space and pull again to resume`,
  );
}

async function writeChunk(download: Download, attempt: Attempt, chunk: Buffer): Promise<void> {
  const { options, part } = download;
  const handle = attempt.handle!;
  options.hooks?.beforeWrite?.(part, attempt.position, chunk.length);
  const accepted = options.hooks?.limitWrite?.(part, attempt.position, chunk.length) ?? chunk.length;
  let done = 0;
  while (done < accepted) {
    const { bytesWritten } = await handle.write(chunk, done, accepted - done, attempt.position + done);
    done += bytesWritten;
  }
  if (accepted < chunk.length) {
    attempt.position += accepted;
    throw Object.assign(new Error('no space left on device'), { code: 'ENOSPC' });
  }
  attempt.hash.update(chunk);
  attempt.position += chunk.length;
}

/** Drops the tail a shorter rewrite left behind, syncs and closes the `.part`. */
export async function closePart(attempt: Attempt): Promise<void> {
  const handle = attempt.handle;
  if (!handle) return;
  if ((await handle.stat()).size > attempt.position) await handle.truncate(attempt.position);
  await handle.sync();
  await handle.close();
  attempt.handle = null;
}

/** Verifies a finished `.part`: installs it, or sets it aside and answers null (a fresh start follows). */
export async function settle(
  download: Download,
  attempt: Attempt,
  hash: Hash | null,
  length: number,
  bytes: number | null,
): Promise<FileResult | null> {
  const { job, options, part } = download;
  options.onEvent({ type: 'verifying', file: job.label });
  const expected = { bytes, sha256: attempt.expected, label: job.label };
  const verdict = await verifyPart(part, hash, length, expected, options.signal);
  if (verdict !== 'ok') {
    await setAside(download, verdict, attempt.expected ?? `${bytes} bytes`);
    return null;
  }
  const sha256 = hash ? hash.digest('hex') : await hashFile(part, await sizeOf(part), options.signal);
  const size = await sizeOf(part);
  await rename(part, job.dest);
  await rm(download.metaPath, { force: true });
  return { path: job.label, bytes: size, sha256, checkedAgainst: attempt.checkedAgainst };
}

/**
 * The body went past its ceiling. Past the expected size it is a wrong copy (set aside, one fresh start); past the
 * cap on a file nobody declared a size for, the bytes are dropped and the file refused.
 */
export async function refuseOverCeiling(download: Download, error: OverCeiling): Promise<null> {
  const { job } = download;
  if (error.kind === 'expected') {
    const found = `more than ${error.ceiling} bytes`;
    await setAside(download, { found, reason: `size: expected ${error.ceiling} bytes, the server sent more` }, found);
    return null;
  }
  await rm(download.part, { force: true });
  await rm(download.metaPath, { force: true });
  throw new IirError(
    'io_error',
    `${job.label}: the server sent more than ${formatBytes(error.ceiling)} without declaring a size; refusing it (add its size to the catalog to allow more)`,
  );
}

/** Keeps a copy that failed verification as `<dest>.bad`, says so, and allows one fresh start. */
async function setAside(download: Download, verdict: Exclude<Verdict, 'ok'>, expected: string): Promise<void> {
  const { job, options } = download;
  const badPath = `${job.dest}.bad`;
  await rename(download.part, badPath);
  await rm(download.metaPath, { force: true });
  options.onEvent({ type: 'mismatch', file: job.label, expected, found: verdict.found, badPath });
  if (download.restartedAfterMismatch) {
    throw new IirError(
      'io_error',
      `${job.label}: failed verification twice (${verdict.reason}); the bad copy is kept at ${badPath}`,
    );
  }
  download.restartedAfterMismatch = true;
}
