import { createHash, type Hash } from 'node:crypto';
import type { FileHandle } from 'node:fs/promises';
import type { Dispatcher } from 'undici';
import { CancelledError, IirError } from '../../shared/errors';
import {
  type PartMeta,
  RetryableError,
  errorReason,
  parseUnsatisfiedRange,
  readMeta,
  sizeOf,
  sleep,
  strongEtag,
  writeMeta,
} from './downloadSupport';
import { closePart, openPart, refuseOverCeiling, rejectStatus, settle, writeBody } from './downloadWrite';
import { openUrl, type HubConfig, type OpenResponse } from './http';

/** One file to fetch into its final place. */
export interface FileJob {
  url: string;
  /** Absolute destination; the download goes to `<dest>.part` and is renamed on success. */
  dest: string;
  /** The manifest path, for messages and events. */
  label: string;
  bytes: number | null;
  /** The catalog's pinned SHA-256. */
  sha256: string | null;
  /** The SHA-256 the hub declared when the pull probed the file (used when the download's answer lacks it). */
  hubSha256?: string | null;
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

/** Free space of the file system holding a folder, as `statfs` reports it. */
export interface FreeSpace {
  bavail: number;
  bsize: number;
}

/** The largest file accepted when neither the catalog nor the server declares a size (4 GiB). */
export const defaultMaxUndeclaredBytes = 4 * 1024 ** 3;
/** How often (in bytes written) the disk reserve is checked again while writing. */
export const defaultReserveCheckBytes = 8 * 1024 * 1024;

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
  /** Free space always left on the disk: writing stops (resumably) before going below it. Default 0. */
  reserveBytes?: number;
  /** Bytes written between two checks of the reserve. */
  reserveCheckBytes?: number;
  statfs?: (dir: string) => Promise<FreeSpace>;
  /** The ceiling of a file whose size nobody declares. */
  maxUndeclaredBytes?: number;
}

export interface FileResult {
  path: string;
  bytes: number;
  sha256: string;
  /** Where the expected hash came from; `none` when neither the catalog nor the hub published one (unverified). */
  checkedAgainst: 'catalog' | 'hub' | 'none';
}

/** One file's download across attempts. */
export interface Download {
  readonly job: FileJob;
  readonly options: FileDownloadOptions;
  readonly part: string;
  readonly metaPath: string;
  failures: number;
  restartedAfterMismatch: boolean;
}

/** One HTTP attempt: where it started, how far it got, what it holds open. */
export interface Attempt {
  meta: PartMeta | null;
  offset: number;
  position: number;
  response: OpenResponse | null;
  handle: FileHandle | null;
  hash: Hash;
  expected: string | null;
  checkedAgainst: FileResult['checkedAgainst'];
}

/** The body went past a file's ceiling: more than the expected size, or more than the cap on an undeclared one. */
export class OverCeiling extends Error {
  constructor(
    readonly kind: 'expected' | 'undeclared',
    readonly ceiling: number,
  ) {
    super(`more than ${ceiling} bytes`);
  }
}

/**
 * Downloads one file, resuming `<dest>.part` with HTTP Range validated by If-Range, retrying network errors, stalls
 * and 5xx with back-off, and verifying SHA-256 (hashing the prefix already on disk when resuming). Every file has a
 * byte ceiling and the disk reserve is checked while writing. A failure or a cancel never deletes or shortens the
 * `.part`; a hash mismatch moves it aside to `<dest>.bad` and starts over once.
 */
export async function downloadFile(job: FileJob, options: FileDownloadOptions): Promise<FileResult> {
  const part = `${job.dest}.part`;
  const download: Download = {
    job,
    options,
    part,
    metaPath: `${part}.json`,
    failures: 0,
    restartedAfterMismatch: false,
  };
  for (;;) {
    if (options.signal.aborted) throw new CancelledError();
    const attempt = await prepareAttempt(download);
    try {
      const result = await runAttempt(download, attempt);
      if (result) return result;
    } catch (error) {
      await recoverOrThrow(download, attempt, error);
    }
  }
}

async function prepareAttempt(download: Download): Promise<Attempt> {
  const meta = await readMeta(download.metaPath);
  const offset = await sizeOf(download.part);
  return {
    meta,
    offset,
    position: offset,
    response: null,
    handle: null,
    hash: createHash('sha256'),
    expected: null,
    checkedAgainst: 'none',
  };
}

function requestHeaders(attempt: Attempt): Record<string, string> {
  const headers: Record<string, string> = { 'accept-encoding': 'identity' };
  if (attempt.offset > 0) {
    headers.range = `bytes=${attempt.offset}-`;
    const validator = strongEtag(attempt.meta?.etag) ?? attempt.meta?.lastModified ?? null;
    if (validator) headers['if-range'] = validator;
  }
  return headers;
}

/** One request: answers the result, or null when the copy failed verification and a fresh start follows. */
async function runAttempt(download: Download, attempt: Attempt): Promise<FileResult | null> {
  const { job, options } = download;
  const response = await openUrl(job.url, {
    headers: requestHeaders(attempt),
    hub: options.hub,
    dispatcher: options.dispatcher,
    signal: options.signal,
    stallMs: options.stallMs,
  });
  attempt.response = response;
  attempt.expected = job.sha256 ?? response.linkedSha256 ?? job.hubSha256 ?? attempt.meta?.linkedSha256 ?? null;
  attempt.checkedAgainst = job.sha256 ? 'catalog' : attempt.expected ? 'hub' : 'none';
  if (response.status === 416) return await onRangeNotSatisfiable(download, attempt, response);
  await rejectStatus(job.label, response);
  const total = await openPart(download, attempt, response);
  await writeMeta(download.metaPath, {
    url: job.url,
    etag: response.headers.etag ?? null,
    lastModified: response.headers['last-modified'] ?? null,
    total,
    linkedSha256: response.linkedSha256 ?? attempt.meta?.linkedSha256 ?? null,
  });
  options.onEvent({ type: 'position', file: job.label, position: attempt.position, total });
  const ceiling = fileCeiling(job, total, response, options);
  try {
    await writeBody(download, attempt, response, total, ceiling);
  } catch (error) {
    if (!(error instanceof OverCeiling)) throw error;
    await closePart(attempt);
    return await refuseOverCeiling(download, error);
  }
  if (total !== null && attempt.position < total) throw new RetryableError('connection closed early');
  await closePart(attempt);
  return await settle(download, attempt, attempt.hash, attempt.position, job.bytes);
}

/** The most bytes this file may have: the expected size, else what the server declares, else the cap. */
function fileCeiling(
  job: FileJob,
  total: number | null,
  response: OpenResponse,
  options: FileDownloadOptions,
): { bytes: number; kind: OverCeiling['kind'] | 'announced' } {
  if (job.bytes !== null) return { bytes: job.bytes, kind: 'expected' };
  if (total !== null) return { bytes: total, kind: 'announced' };
  if (response.linkedSize !== null) return { bytes: response.linkedSize, kind: 'expected' };
  return { bytes: options.maxUndeclaredBytes ?? defaultMaxUndeclaredBytes, kind: 'undeclared' };
}

/** 416: either the `.part` is complete or the file changed on the server; the hash decides. */
async function onRangeNotSatisfiable(
  download: Download,
  attempt: Attempt,
  response: OpenResponse,
): Promise<FileResult | null> {
  const { job, options } = download;
  await response.body.dump();
  const total = parseUnsatisfiedRange(response.headers['content-range']) ?? job.bytes;
  if (total !== attempt.offset) {
    options.onEvent({
      type: 'restart',
      file: job.label,
      reason: `server has ${total ?? '?'} bytes, .part has ${attempt.offset}`,
    });
  }
  return await settle(download, attempt, null, attempt.offset, job.bytes ?? total);
}

/** A failed attempt: a clear error for what retrying cannot fix, else back off and let the loop try again. */
async function recoverOrThrow(download: Download, attempt: Attempt, error: unknown): Promise<void> {
  const { job, options, part } = download;
  if (attempt.handle) await attempt.handle.close().catch(() => undefined);
  if (attempt.response) attempt.response.body.destroy();
  if (options.signal.aborted) throw new CancelledError();
  if (error instanceof IirError) throw error;
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOSPC' || code === 'EDQUOT') {
    throw new IirError(
      'io_error',
      `disk full while writing ${job.label}; the partial download (${attempt.position} bytes) is kept: free some space and pull again to resume`,
    );
  }
  if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') {
    throw new IirError('io_error', `cannot write ${part} (${code})`);
  }
  if (attempt.position > attempt.offset) download.failures = 0;
  download.failures += 1;
  if (download.failures >= options.maxAttempts) {
    throw new IirError(
      'io_error',
      `${job.label}: download failed ${download.failures} times in a row (${errorReason(error)}); ${await sizeOf(part)} bytes are kept in ${part}: pull again to resume`,
    );
  }
  const delayMs = options.backoffMs(download.failures);
  options.onEvent({ type: 'retry', file: job.label, attempt: download.failures, delayMs, reason: errorReason(error) });
  await sleep(delayMs, options.signal);
}
