import { mkdir, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Dispatcher } from 'undici';
import { CancelledError, IirError } from '../../shared/errors';
import type { CatalogModel, License } from './catalogSchema';
import { downloadFile, type FileEvent, type FileResult, type FreeSpace, type WriteHooks } from './downloadFile';
import type { HubConfig } from './http';
import { acquireLock } from './lock';
import {
  type PlannedFile,
  type PullState,
  buildReceipt,
  checkFreeSpace,
  defaultDiskMarginBytes,
  planFiles,
  prepareFolder,
  probeSizes,
  pullStateName,
  readState,
  trackProgress,
  writeState,
} from './pullStages';
import { readReceipt, writeReceipt, type Receipt } from './receipt';
import { fuseAfterPull } from './autoFuse';
import { safeJoin } from './safePath';

export type { FreeSpace } from './downloadFile';

/** Everything a pull reports, in order: `start`, then file events and `progress`, then `done` (or a rejection). */
export type PullEvent =
  | { type: 'start'; modelId: string; totalBytes: number; files: { path: string; bytes: number | null }[] }
  | {
      type: 'progress';
      modelId: string;
      file: string;
      fileBytes: number;
      fileTotal: number | null;
      doneBytes: number;
      totalBytes: number;
      bytesPerSecond: number;
      etaSeconds: number | null;
    }
  | { type: 'retry'; modelId: string; file: string; attempt: number; delayMs: number; reason: string }
  | { type: 'restart'; modelId: string; file: string; reason: string }
  | { type: 'verifying'; modelId: string; file: string }
  | { type: 'mismatch'; modelId: string; file: string; expected: string; found: string; badPath: string }
  | { type: 'file-done'; modelId: string; file: string; bytes: number; sha256: string }
  | { type: 'skipped'; modelId: string; file: string; reason: string }
  | { type: 'done'; modelId: string; receipt: Receipt };

export interface PullOptions {
  modelsDir: string;
  model: CatalogModel;
  license: License | null;
  hub: HubConfig;
  dispatcher?: Dispatcher;
  signal?: AbortSignal;
  /** Files fetched at the same time. */
  parallel?: number;
  stallMs?: number;
  maxAttempts?: number;
  backoffMs?: (failures: number) => number;
  /** Free space kept on top of what the download needs, and never gone below while writing. */
  diskMarginBytes?: number;
  /** Bytes written between two checks of the free space. */
  reserveCheckBytes?: number;
  /** The ceiling of a file whose size neither the catalog nor the server declares. */
  maxUndeclaredBytes?: number;
  statfs?: (dir: string) => Promise<FreeSpace>;
  hooks?: WriteHooks;
  onEvent?: (event: PullEvent) => void;
  now?: () => number;
  /** Minimum ms between `progress` events (0: every chunk). */
  progressIntervalMs?: number;
}

const lockName = '.pull.lock';

export function defaultBackoffMs(failures: number): number {
  return Math.min(30_000, 500 * 2 ** (failures - 1)) * (0.75 + Math.random() * 0.5);
}

/** An AbortController that follows `outer` (a caller's cancel) and also aborts on the first failed file. */
function linkedController(outer: AbortSignal | undefined): { controller: AbortController; unlink: () => void } {
  const controller = new AbortController();
  const onOuterAbort = (): void => controller.abort();
  outer?.addEventListener('abort', onOuterAbort, { once: true });
  if (outer?.aborted) controller.abort();
  return { controller, unlink: () => outer?.removeEventListener('abort', onOuterAbort) };
}

/**
 * Downloads one catalog model into `<modelsDir>/<id>/`: lock, free-space check, a few files in parallel, each
 * resumable, bounded and verified, then the receipt. On failure or cancel, the `.part` files stay for the next pull.
 */
export async function pullModel(options: PullOptions): Promise<Receipt> {
  const { model } = options;
  const { controller, unlink } = linkedController(options.signal);
  const emit = options.onEvent ?? (() => undefined);
  const dir = await prepareFolder(options);
  const release = await acquireLock(join(dir, lockName), `model "${model.id}"`);
  try {
    const existing = await readReceipt(dir).catch(() => null);
    if (existing?.location) {
      throw new IirError('invalid_argument', `model "${model.id}" is linked to ${existing.location}; remove it first`);
    }
    const state = await readState(dir);
    const files = await planFiles(dir, state, options);
    await probeSizes(files, options, controller.signal);
    await checkFreeSpace(dir, files, options);
    const progress = await trackProgress(files, options, emit);
    const results = await downloadAll(dir, files, state, options, controller, progress);
    const receipt = buildReceipt(options, results);
    await writeReceipt(dir, receipt);
    await rm(join(dir, pullStateName), { force: true });
    await fuseAfterPull(options.modelsDir, model.id); // a pair it cannot fuse still runs split
    emit({ type: 'done', modelId: model.id, receipt });
    return receipt;
  } finally {
    unlink();
    await release();
  }
}

/** Runs `parallel` workers over the files still to fetch; the first failure stops the others. */
async function downloadAll(
  dir: string,
  files: PlannedFile[],
  state: PullState,
  options: PullOptions,
  controller: AbortController,
  progress: Awaited<ReturnType<typeof trackProgress>>,
): Promise<Map<string, FileResult>> {
  const emit = options.onEvent ?? (() => undefined);
  const modelId = options.model.id;
  const results = new Map<string, FileResult>();
  for (const f of files) if (f.done) results.set(f.entry.path, { path: f.entry.path, ...f.done });
  const queue = files.filter((f) => !f.done);
  // Workers finish in any order; their state writes must not interleave.
  let stateWrites = Promise.resolve();
  const failure: { error: Error | null } = { error: null };
  const worker = async (): Promise<void> => {
    for (let f = queue.shift(); f && !controller.signal.aborted; f = queue.shift()) {
      try {
        const result = await fetchOne(dir, f, options, controller.signal, progress.onFileEvent);
        results.set(f.entry.path, result);
        const { bytes, sha256, checkedAgainst } = result;
        state.files[f.entry.path] = { url: f.url, bytes, sha256, checkedAgainst };
        stateWrites = stateWrites.then(() => writeState(dir, state));
        await stateWrites;
        emit({ type: 'file-done', modelId, file: f.entry.path, bytes, sha256 });
      } catch (error) {
        if (f.entry.optional && error instanceof IirError && error.code === 'not_found') {
          progress.forget(f.entry.path);
          emit({ type: 'skipped', modelId, file: f.entry.path, reason: error.message });
          continue;
        }
        failure.error ??= error instanceof Error ? error : new IirError('internal', String(error));
        controller.abort();
        return;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, options.parallel ?? 3) }, worker));
  if (options.signal?.aborted) throw new CancelledError();
  if (failure.error) throw failure.error;
  return results;
}

async function fetchOne(
  dir: string,
  f: PlannedFile,
  options: PullOptions,
  signal: AbortSignal,
  onEvent: (event: FileEvent) => void,
): Promise<FileResult> {
  await mkdir(dirname(f.dest), { recursive: true });
  // The folder may have changed since safeJoin checked it (another tool, a planted link): check again.
  await safeJoin(dir, f.entry.path);
  return await downloadFile(
    { url: f.url, dest: f.dest, label: f.entry.path, bytes: f.bytes, sha256: f.sha256, hubSha256: f.hubSha256 },
    {
      hub: options.hub,
      dispatcher: options.dispatcher,
      signal,
      stallMs: options.stallMs ?? 30_000,
      maxAttempts: options.maxAttempts ?? 6,
      backoffMs: options.backoffMs ?? defaultBackoffMs,
      onEvent,
      hooks: options.hooks,
      reserveBytes: options.diskMarginBytes ?? defaultDiskMarginBytes,
      ...(options.reserveCheckBytes === undefined ? {} : { reserveCheckBytes: options.reserveCheckBytes }),
      ...(options.statfs ? { statfs: options.statfs } : {}),
      ...(options.maxUndeclaredBytes === undefined ? {} : { maxUndeclaredBytes: options.maxUndeclaredBytes }),
    },
  );
}

/** A running pull: `pause` and `cancel` both stop it and keep every `.part`; pulling again resumes. */
export interface PullHandle {
  done: Promise<Receipt>;
  pause(): void;
  cancel(): void;
}

/** Starts {@link pullModel}; `done` rejects with a CancelledError saying `paused` or `cancelled`. */
export function startPull(options: Omit<PullOptions, 'signal'>): PullHandle {
  const controller = new AbortController();
  let reason: 'paused' | 'cancelled' = 'cancelled';
  const done = pullModel({ ...options, signal: controller.signal }).catch((error: unknown) => {
    if (controller.signal.aborted) throw new CancelledError(reason);
    throw error;
  });
  return {
    done,
    pause() {
      reason = 'paused';
      controller.abort();
    },
    cancel() {
      reason = 'cancelled';
      controller.abort();
    },
  };
}
