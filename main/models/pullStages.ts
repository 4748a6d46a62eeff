import { lstat, mkdir, readFile, stat, statfs } from 'node:fs/promises';
import { writeFileAtomic } from '../files/atomicWrite';
import { join } from 'node:path';
import { CancelledError, IirError } from '../../shared/errors';
import type { CatalogFile } from './catalogSchema';
import type { FileEvent, FileResult } from './downloadFile';
import { formatBytes } from '../../shared/format';
import { openUrl, rewriteForHub } from './http';
import type { PullEvent, PullOptions } from './pull';
import { RateMeter } from './progress';
import { modelDir, type Receipt } from './receipt';
import { safeJoin } from './safePath';

/** Files already verified and renamed by an interrupted pull, so a resume need not hash them again. */
export interface PullState {
  files: Record<string, { url: string; bytes: number; sha256: string; checkedAgainst: FileResult['checkedAgainst'] }>;
}

/** One catalog file on its way: where it goes, what is known of it, and whether an earlier pull finished it. */
export interface PlannedFile {
  entry: CatalogFile;
  dest: string;
  url: string;
  done: PullState['files'][string] | null;
  bytes: number | null;
  /** The catalog's pinned SHA-256. */
  sha256: string | null;
  /** The hub's declared SHA-256, from the probe. */
  hubSha256: string | null;
}

const stateName = '.pull-state.json';

async function sizeOf(path: string): Promise<number> {
  return (await stat(path).catch(() => null))?.size ?? 0;
}

export async function readState(dir: string): Promise<PullState> {
  try {
    return JSON.parse(await readFile(join(dir, stateName), 'utf8')) as PullState;
  } catch {
    return { files: {} };
  }
}

export async function writeState(dir: string, state: PullState): Promise<void> {
  await writeFileAtomic(join(dir, stateName), JSON.stringify(state));
}

export const pullStateName = stateName;

/** The model's folder, created; a link in its place is refused (downloads would land elsewhere). */
export async function prepareFolder(options: PullOptions): Promise<string> {
  const dir = modelDir(options.modelsDir, options.model.id);
  await mkdir(options.modelsDir, { recursive: true });
  const dirStat = await lstat(dir).catch(() => null);
  if (dirStat?.isSymbolicLink()) {
    throw new IirError('invalid_argument', `${dir} is a link; refusing to download into it`);
  }
  await mkdir(dir, { recursive: true });
  return dir;
}

/** Each catalog file with its destination, hub URL and, when an interrupted pull finished it, that result. */
export async function planFiles(dir: string, state: PullState, options: PullOptions): Promise<PlannedFile[]> {
  return await Promise.all(
    options.model.files.map(async (entry) => {
      const dest = await safeJoin(dir, entry.path);
      const url = rewriteForHub(entry.url, options.hub);
      const done = state.files[entry.path];
      const reusable = done !== undefined && done.url === url && (await sizeOf(dest)) === done.bytes;
      return {
        entry,
        dest,
        url,
        done: reusable ? done : null,
        bytes: entry.bytes,
        sha256: entry.sha256,
        hubSha256: null,
      };
    }),
  );
}

/** Sizes and hub hashes of files whose catalog entry leaves them open (HEAD, following redirects). */
async function probe(url: string, options: PullOptions, signal: AbortSignal) {
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

/** Fills in sizes and hashes the catalog leaves open from the hub; the free-space check and totals need them. */
export async function probeSizes(files: PlannedFile[], options: PullOptions, signal: AbortSignal): Promise<void> {
  await Promise.all(
    files.map(async (f) => {
      if (f.done || (f.bytes !== null && f.sha256 !== null)) return;
      const found = await probe(f.url, options, signal);
      f.bytes ??= found.bytes;
      f.hubSha256 = found.sha256;
    }),
  );
}

/** The free space kept on top of what a download needs (and never gone below while writing). */
export const defaultDiskMarginBytes = 512 * 1024 * 1024;

/** Refuses to start when the known sizes plus the margin do not fit on the disk. */
export async function checkFreeSpace(dir: string, files: PlannedFile[], options: PullOptions): Promise<void> {
  let needed = 0;
  for (const f of files) {
    if (f.done || f.bytes === null) continue;
    needed += Math.max(0, f.bytes - (await sizeOf(`${f.dest}.part`)));
  }
  const margin = options.diskMarginBytes ?? defaultDiskMarginBytes;
  const free = await (options.statfs ?? statfs)(dir);
  const freeBytes = free.bavail * free.bsize;
  if (freeBytes < needed + margin) {
    throw new IirError(
      'io_error',
      `not enough free space in ${options.modelsDir}: ${options.model.id} needs ${formatBytes(needed)} more (+ ${formatBytes(margin)} margin), ${formatBytes(freeBytes)} free`,
    );
  }
}

/** Emits `start`, then turns file positions into throttled `progress` events with rate and ETA. */
export async function trackProgress(
  files: PlannedFile[],
  options: PullOptions,
  emit: (event: PullEvent) => void,
): Promise<{ onFileEvent: (event: FileEvent) => void; forget: (file: string) => void }> {
  const modelId = options.model.id;
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
  const fileList = files.map((f) => ({ path: f.entry.path, bytes: f.done ? f.done.bytes : f.bytes }));
  emit({ type: 'start', modelId, totalBytes: totalBytes(), files: fileList });
  const onFileEvent = (event: FileEvent): void => {
    if (event.type !== 'position') return emit({ ...event, modelId });
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
      modelId,
      file: event.file,
      fileBytes: event.position,
      fileTotal: event.total,
      doneBytes: done,
      totalBytes: total,
      bytesPerSecond: meter.bytesPerSecond(),
      etaSeconds: meter.etaSeconds(total - done),
    });
  };
  return { onFileEvent, forget: (file) => void positions.delete(file) };
}

/** The install receipt; every file records where its expected hash came from (`none`: unverified). */
export function buildReceipt(options: PullOptions, results: Map<string, FileResult>): Receipt {
  const { model, license } = options;
  return {
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
    license: license ? { id: license.id, name: license.name, url: license.url } : null,
    location: null,
    files: model.files.flatMap((f) => {
      const r = results.get(f.path);
      if (!r && f.optional) return [];
      if (!r) throw new IirError('internal', `no result for ${f.path}`);
      return [{ path: f.path, bytes: r.bytes, sha256: r.sha256, checkedAgainst: r.checkedAgainst }];
    }),
    installedAt: new Date().toISOString(),
  };
}
