import { lstat, mkdir, readFile, rename, stat, statfs, writeFile, rm } from 'node:fs/promises';
import { formatBytes } from '../../shared/format';
import { dirname, join } from 'node:path';
import type { Dispatcher } from 'undici';
import { CancelledError, IirError } from '../../shared/errors';
import type { CatalogModel, License } from './catalogSchema';
import { downloadFile, type FileEvent, type FileResult, type WriteHooks } from './downloadFile';
import { openUrl, rewriteForHub, type HubConfig } from './http';
import { acquireLock } from './lock';
import { RateMeter } from './progress';
import { modelDir, readReceipt, writeReceipt, type Receipt } from './receipt';
import { safeJoin } from './safePath';

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

export interface FreeSpace {
  bavail: number;
  bsize: number;
}

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
  /** Free space kept on top of what the download needs. */
  diskMarginBytes?: number;
  statfs?: (dir: string) => Promise<FreeSpace>;
  hooks?: WriteHooks;
  onEvent?: (event: PullEvent) => void;
  now?: () => number;
  /** Minimum ms between `progress` events (0: every chunk). */
  progressIntervalMs?: number;
}

/** Files already verified and renamed by an interrupted pull, so a resume need not hash them again. */
interface PullState {
  files: Record<string, { url: string; bytes: number; sha256: string; checkedAgainst: FileResult['checkedAgainst'] }>;
}

const stateName = '.pull-state.json';
const lockName = '.pull.lock';

async function readState(dir: string): Promise<PullState> {
  try {
    return JSON.parse(await readFile(join(dir, stateName), 'utf8')) as PullState;
  } catch {
    return { files: {} };
  }
}

async function writeState(dir: string, state: PullState): Promise<void> {
  const target = join(dir, stateName);
  await writeFile(`${target}.tmp`, JSON.stringify(state));
  await rename(`${target}.tmp`, target);
}

async function sizeOf(path: string): Promise<number> {
  return (await stat(path).catch(() => null))?.size ?? 0;
}

export function defaultBackoffMs(failures: number): number {
  return Math.min(30_000, 500 * 2 ** (failures - 1)) * (0.75 + Math.random() * 0.5);
}

/** Sizes and hub hashes of files whose catalog entry leaves them open (HEAD, following redirects). */
async function probe(
  url: string,
  options: PullOptions,
  signal: AbortSignal,
): Promise<{ bytes: number | null; sha256: string | null }> {
  try {
    const response = await openUrl(url, {
      method: 'HEAD',
      hub: options.hub,
      dispatcher: options.dispatcher,
      signal,
      stallMs: options.stallMs ?? 30_000,
    });
    await response.body.dump();
    if (response.status !== 200) return { bytes: response.linkedSize, sha256: response.linkedSha256 };
    const length = Number(response.headers['content-length']);
    const bytes = response.headers['content-length'] !== undefined && Number.isSafeInteger(length) ? length : null;
    return { bytes: response.linkedSize ?? bytes, sha256: response.linkedSha256 };
  } catch {
    if (signal.aborted) throw new CancelledError();
    // A probe is only an estimate; the download itself reports real failures.
    return { bytes: null, sha256: null };
  }
}

/**
 * Downloads one catalog model into `<modelsDir>/<id>/`: lock, free-space check, a few files in parallel, each
 * resumable and verified, then the receipt. On failure or cancel, the `.part` files stay for the next pull.
 */
export async function pullModel(options: PullOptions): Promise<Receipt> {
  const { model } = options;
  const outer = options.signal;
  const controller = new AbortController();
  const onOuterAbort = (): void => controller.abort();
  outer?.addEventListener('abort', onOuterAbort, { once: true });
  if (outer?.aborted) controller.abort();
  const signal = controller.signal;
  const emit = options.onEvent ?? (() => undefined);
  const dir = modelDir(options.modelsDir, model.id);
  await mkdir(options.modelsDir, { recursive: true });
  const dirStat = await lstat(dir).catch(() => null);
  if (dirStat?.isSymbolicLink())
    throw new IirError('invalid_argument', `${dir} is a link; refusing to download into it`);
  await mkdir(dir, { recursive: true });
  const release = await acquireLock(join(dir, lockName), `model "${model.id}"`);
  try {
    const existing = await readReceipt(dir).catch(() => null);
    if (existing?.location) {
      throw new IirError('invalid_argument', `model "${model.id}" is linked to ${existing.location}; remove it first`);
    }
    const state = await readState(dir);
    const files = await Promise.all(
      model.files.map(async (f) => {
        const dest = await safeJoin(dir, f.path);
        const url = rewriteForHub(f.url, options.hub);
        const done = state.files[f.path];
        const reusable = done !== undefined && done.url === url && (await sizeOf(dest)) === done.bytes;
        return { entry: f, dest, url, done: reusable ? done : null, bytes: f.bytes, sha256: f.sha256 };
      }),
    );

    // Exact sizes first: the free-space check and the progress total need them.
    await Promise.all(
      files.map(async (f) => {
        if (f.done || (f.bytes !== null && f.sha256 !== null)) return;
        const found = await probe(f.url, options, signal);
        f.bytes ??= found.bytes;
        f.sha256 ??= found.sha256;
      }),
    );
    let needed = 0;
    for (const f of files) {
      if (f.done || f.bytes === null) continue;
      needed += Math.max(0, f.bytes - (await sizeOf(`${f.dest}.part`)));
    }
    const margin = options.diskMarginBytes ?? 512 * 1024 * 1024;
    const free = await (options.statfs ?? statfs)(dir);
    const freeBytes = free.bavail * free.bsize;
    if (freeBytes < needed + margin) {
      throw new IirError(
        'io_error',
        `not enough free space in ${options.modelsDir}: ${model.id} needs ${formatBytes(needed)} more (+ ${formatBytes(margin)} margin), ${formatBytes(freeBytes)} free`,
      );
    }

    const positions = new Map<string, { position: number; total: number | null }>();
    for (const f of files) {
      const have = f.done ? f.done.bytes : await sizeOf(`${f.dest}.part`);
      positions.set(f.entry.path, { position: have, total: f.done ? f.done.bytes : f.bytes });
    }
    const totalBytes = (): number => [...positions.values()].reduce((s, p) => s + (p.total ?? p.position), 0);
    const doneBytes = (): number => [...positions.values()].reduce((s, p) => s + p.position, 0);
    const startDone = doneBytes();
    const meter = new RateMeter(options.now);
    meter.add(0);
    let lastProgressAt = -Infinity;
    const interval = options.progressIntervalMs ?? 100;
    const now = options.now ?? (() => performance.now());
    emit({
      type: 'start',
      modelId: model.id,
      totalBytes: totalBytes(),
      files: files.map((f) => ({ path: f.entry.path, bytes: f.done ? f.done.bytes : f.bytes })),
    });

    const onFileEvent = (event: FileEvent): void => {
      if (event.type === 'position') {
        positions.set(event.file, { position: event.position, total: event.total });
        const done = doneBytes();
        meter.add(done - startDone);
        const t = now();
        const complete = event.total !== null && event.position === event.total;
        if (t - lastProgressAt < interval && !complete) return;
        lastProgressAt = t;
        const total = totalBytes();
        emit({
          type: 'progress',
          modelId: model.id,
          file: event.file,
          fileBytes: event.position,
          fileTotal: event.total,
          doneBytes: done,
          totalBytes: total,
          bytesPerSecond: meter.bytesPerSecond(),
          etaSeconds: meter.etaSeconds(total - done),
        });
      } else emit({ ...event, modelId: model.id });
    };

    const results = new Map<string, FileResult>();
    for (const f of files) if (f.done) results.set(f.entry.path, { path: f.entry.path, ...f.done });
    const queue = files.filter((f) => !f.done);
    // Workers finish in any order; their state writes must not interleave.
    let stateWrites = Promise.resolve();
    const failure: { error: Error | null } = { error: null };
    const worker = async (): Promise<void> => {
      for (let f = queue.shift(); f; f = queue.shift()) {
        if (signal.aborted) return;
        try {
          await mkdir(dirname(f.dest), { recursive: true });
          // The folder may have changed since safeJoin checked it (another tool, a planted link): check again.
          await safeJoin(dir, f.entry.path);
          const result = await downloadFile(
            { url: f.url, dest: f.dest, label: f.entry.path, bytes: f.bytes, sha256: f.sha256 },
            {
              hub: options.hub,
              dispatcher: options.dispatcher,
              signal,
              stallMs: options.stallMs ?? 30_000,
              maxAttempts: options.maxAttempts ?? 6,
              backoffMs: options.backoffMs ?? defaultBackoffMs,
              onEvent: onFileEvent,
              hooks: options.hooks,
            },
          );
          results.set(f.entry.path, result);
          state.files[f.entry.path] = {
            url: f.url,
            bytes: result.bytes,
            sha256: result.sha256,
            checkedAgainst: result.checkedAgainst,
          };
          stateWrites = stateWrites.then(() => writeState(dir, state));
          await stateWrites;
          emit({
            type: 'file-done',
            modelId: model.id,
            file: f.entry.path,
            bytes: result.bytes,
            sha256: result.sha256,
          });
        } catch (error) {
          if (f.entry.optional && error instanceof IirError && error.code === 'not_found') {
            positions.delete(f.entry.path);
            emit({ type: 'skipped', modelId: model.id, file: f.entry.path, reason: error.message });
            continue;
          }
          failure.error ??= error instanceof Error ? error : new IirError('internal', String(error));
          controller.abort();
          return;
        }
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, options.parallel ?? 3) }, worker));
    if (outer?.aborted) throw new CancelledError();
    if (failure.error) throw failure.error;

    const receipt: Receipt = {
      schema: 1,
      id: model.id,
      title: model.title,
      role: model.role,
      source: {
        kind: 'download',
        repo: model.source?.repo ?? null,
        revision: model.source?.revision ?? null,
        from: options.hub.endpoint,
      },
      license: options.license
        ? { id: options.license.id, name: options.license.name, url: options.license.url }
        : null,
      location: null,
      files: model.files.flatMap((f) => {
        const r = results.get(f.path);
        if (!r && f.optional) return [];
        if (!r) throw new IirError('internal', `no result for ${f.path}`);
        return [{ path: f.path, bytes: r.bytes, sha256: r.sha256 }];
      }),
      installedAt: new Date().toISOString(),
    };
    await writeReceipt(dir, receipt);
    await rm(join(dir, stateName), { force: true });
    emit({ type: 'done', modelId: model.id, receipt });
    return receipt;
  } finally {
    outer?.removeEventListener('abort', onOuterAbort);
    await release();
  }
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
