import { access, mkdir } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { CancelledError, isIirError } from '../../shared/errors';
import type { SerialEngine } from './engine';
import { editPhoto, type PhotoEdit } from './photo';
import { outputPaths } from './inputs';
import { appendReportLine, type BatchReportLine, endsCleanly, readReport } from './report';

/** What to find in every photo and how to edit it. */
export interface BatchRequest extends Omit<PhotoEdit, 'input' | 'output'> {
  readonly inputs: readonly string[];
  readonly outDir: string;
  /** Photos in flight at once: reading, segmentation, the edit and writing of different photos overlap. */
  readonly jobs: number;
  readonly signal: AbortSignal;
  /** Each photo's report line, as it is written. */
  readonly onLine?: (line: BatchReportLine, progress: BatchProgress) => void;
  /** The running photo's denoising steps. */
  readonly onStep?: (input: string, i: number, n: number) => void;
}

/** How far a batch is. */
export interface BatchProgress {
  readonly done: number;
  readonly total: number;
  /** Estimated milliseconds left, from the mean time per photo so far; null before the first photo ends. */
  readonly etaMs: number | null;
}

/** The batch's totals. */
export interface BatchSummary {
  readonly total: number;
  readonly edited: number;
  readonly notFound: number;
  readonly failed: number;
  /** Photos a previous run finished, skipped this time. */
  readonly skipped: number;
  readonly wallMs: number;
  readonly imagesPerMinute: number;
  /** The fraction of the batch's wall time that the engine process was working (null: remote workers did it). */
  readonly engineBusy: number | null;
  readonly report: string;
}

/** Errors that no other photo would escape: stop the batch instead of failing every photo the same way. */
const fatalCodes = new Set(['model_missing', 'unsupported_provider', 'cancelled']);

const round = (ms: number): number => Math.round(ms * 10) / 10;

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

/** Photos a previous run finished: an edited photo whose output still exists, or one where nothing was found. */
export async function finishedBefore(lines: Map<string, BatchReportLine>): Promise<Set<string>> {
  const done = new Set<string>();
  for (const [input, line] of lines) {
    if (line.status === 'not_found' || (line.status === 'edited' && line.output && (await exists(line.output)))) {
      done.add(input);
    }
  }
  return done;
}

/**
 * Finds `region` in every photo and edits it, writing each result (atomically) and then its report line. Photos
 * where nothing is found are skipped and reported; a failing photo is reported and the batch goes on, unless the
 * failure would hit every photo (a missing model). Re-running resumes: photos with an output and a line are skipped.
 */
export async function runBatch(request: BatchRequest, engine: SerialEngine): Promise<BatchSummary> {
  const started = performance.now();
  await mkdir(request.outDir, { recursive: true });
  const reportPath = join(request.outDir, 'report.jsonl');
  const previous = await finishedBefore(await readReport(reportPath));
  let isFresh = await endsCleanly(reportPath);
  const outputs = outputPaths(request.inputs, request.outDir);
  const todo = request.inputs.filter((input) => !previous.has(input));
  const counts = { edited: 0, notFound: 0, failed: 0 };
  let done = 0;
  let next = 0;
  let fatal: Error | undefined;

  const worker = async (): Promise<void> => {
    while (next < todo.length && fatal === undefined && !request.signal.aborted) {
      const input = todo[next++]!;
      let line: BatchReportLine;
      try {
        line = await editPhoto({ ...request, input, output: outputs.get(input)! }, engine, request.signal, (i, n) =>
          request.onStep?.(input, i, n),
        );
      } catch (error) {
        if (request.signal.aborted || (isIirError(error) && fatalCodes.has(error.code))) {
          fatal ??= error instanceof Error ? error : new Error(String(error));
          return;
        }
        line = failedLine(input, request.params.seed, error);
      }
      await appendReportLine(reportPath, line, isFresh);
      isFresh = true;
      counts[line.status === 'edited' ? 'edited' : line.status === 'not_found' ? 'notFound' : 'failed']++;
      done++;
      const elapsed = performance.now() - started;
      request.onLine?.(line, { done, total: todo.length, etaMs: (elapsed / done) * (todo.length - done) });
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(request.jobs, todo.length)) }, worker));
  if (request.signal.aborted) throw new CancelledError();
  if (fatal !== undefined) throw fatal;

  const wallMs = performance.now() - started;
  return {
    total: request.inputs.length,
    ...counts,
    skipped: request.inputs.length - todo.length,
    wallMs: round(wallMs),
    imagesPerMinute: done > 0 ? Math.round((done / wallMs) * 60_000 * 10) / 10 : 0,
    engineBusy: wallMs > 0 ? Math.round((engine.busyMs / wallMs) * 1000) / 1000 : 0,
    report: reportPath,
  };
}

export function failedLine(input: string, seed: number, error: unknown): BatchReportLine {
  const message = error instanceof Error ? error.message : String(error);
  return {
    input,
    status: 'failed',
    output: null,
    bestScore: null,
    instances: [],
    seed,
    timingsMs: { read: 0, segment: 0, edit: 0, write: 0, total: 0 },
    error: isIirError(error) ? message : `could not edit ${basename(input)}: ${message}`,
  };
}
