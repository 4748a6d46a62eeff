import { createHash, randomUUID } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Queue, QueueEvents, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import type { EditParams } from '../../shared/api';
import { CancelledError, IirError } from '../../shared/errors';
import { describeReadError } from '../image/fileErrors';
import { outputPaths } from '../batch/inputs';
import {
  appendReportLine,
  type BatchReportLine,
  batchReportLineSchema,
  endsCleanly,
  readReport,
} from '../batch/report';
import { failedLine, finishedBefore, type BatchProgress, type BatchSummary } from '../batch/runner';
import { heldJobs } from './batchControl';
import type { QueueAddress } from './connection';
import {
  type BatchItemJob,
  type BatchManifest,
  batchKeepSeconds,
  batchManifestSchema,
  cancelChannel,
  jobIdFor,
  manifestKey,
  maxAttempts,
  priorities,
  queueNameFor,
} from './jobs';

/** A batch to hand to the workers. */
export interface QueueBatchRequest {
  readonly inputs: readonly string[];
  readonly outDir: string;
  readonly region: string;
  readonly boxThreshold: number;
  readonly textThreshold: number;
  /** With `sd` and `controlnet` named: they choose the queue, so only workers that have them take the photos. */
  readonly params: EditParams & { readonly sd: string; readonly controlnet: string };
}

const keepJobs = { age: batchKeepSeconds };

/**
 * Enqueues one job per photo not finished before (by the report), with ids that hash the work, so a photo already
 * done by an earlier submission is not done again. Stores the batch's manifest so `--attach` can follow it later.
 */
export async function submitBatch(address: QueueAddress, request: QueueBatchRequest): Promise<BatchManifest> {
  await mkdir(request.outDir, { recursive: true });
  const previous = await finishedBefore(await readReport(join(request.outDir, 'report.jsonl')));
  const outputs = outputPaths(request.inputs, request.outDir);
  const batchId = randomUUID();
  const jobs: { id: string; input: string; data: BatchItemJob }[] = [];
  for (const input of request.inputs.filter((i) => !previous.has(i))) {
    let bytes: Buffer;
    try {
      bytes = await readFile(input);
    } catch (error) {
      throw describeReadError(input, error);
    }
    const data: BatchItemJob = {
      kind: 'batch-item',
      batchId,
      input,
      inputSha256: createHash('sha256').update(bytes).digest('hex'),
      output: outputs.get(input)!,
      region: request.region,
      boxThreshold: request.boxThreshold,
      textThreshold: request.textThreshold,
      params: request.params,
    };
    jobs.push({ id: jobIdFor(data), input, data });
  }
  const queueName = queueNameFor(request.params.sd, request.params.controlnet);
  const manifest: BatchManifest = {
    batchId,
    queue: queueName,
    outDir: request.outDir,
    jobs: jobs.map(({ id, input }) => ({ id, input })),
    createdAt: new Date().toISOString(),
  };
  const queue = new Queue(queueName, { connection: address.options });
  const redis = new Redis(address.options);
  try {
    await redis.set(manifestKey(batchId), JSON.stringify(manifest), 'EX', batchKeepSeconds);
    await queue.addBulk(
      jobs.map(({ id, data }) => ({
        name: 'batch-item',
        data,
        opts: {
          jobId: id,
          attempts: maxAttempts,
          priority: priorities.batch,
          removeOnComplete: keepJobs,
          removeOnFail: keepJobs,
        },
      })),
    );
  } finally {
    await queue.close();
    redis.disconnect();
  }
  return manifest;
}

/** The manifest of a batch submitted earlier (`--attach <id>`). */
export async function loadManifest(address: QueueAddress, batchId: string): Promise<BatchManifest> {
  const redis = new Redis(address.options);
  try {
    const text = await redis.get(manifestKey(batchId));
    if (text === null) throw new IirError('not_found', `no batch ${batchId} in the queue (batches are kept 7 days)`);
    return batchManifestSchema.parse(JSON.parse(text));
  } finally {
    redis.disconnect();
  }
}

/** Stops a batch: its waiting photos are taken off the queue, and the workers stop the ones they are editing. */
export async function cancelBatch(address: QueueAddress, manifest: BatchManifest): Promise<void> {
  const queue = new Queue(manifest.queue, { connection: address.options });
  const redis = new Redis(address.options);
  try {
    await redis.publish(cancelChannel, JSON.stringify({ jobIds: manifest.jobs.map((j) => j.id) }));
    for (const { id } of manifest.jobs) await queue.remove(id).catch(() => 0);
  } finally {
    await queue.close();
    redis.disconnect();
  }
}

/** How one job ended, as a report line (its return value, or a failed line with the reason). */
function lineOf(job: Job, input: string, seed: number): BatchReportLine | undefined {
  if (job.finishedOn === undefined) return undefined;
  if (job.failedReason) {
    return failedLine(input, seed, new IirError('invalid_argument', job.failedReason));
  }
  const parsed = batchReportLineSchema.safeParse(job.returnvalue);
  return parsed.success ? { ...parsed.data, input } : undefined;
}

/** Options of {@link followBatch}. */
export interface FollowOptions {
  readonly signal: AbortSignal;
  readonly seed: number;
  readonly onLine?: (line: BatchReportLine, progress: BatchProgress) => void;
  /** Steps of a running photo: `done` photos so far plus this fraction. */
  readonly onStep?: (fraction: number) => void;
  /** After how long without an event every unfinished job is looked at again (default 10 s). */
  readonly sweepMs?: number;
}

/**
 * Follows a submitted batch to its end: each finished photo's line goes into `<outDir>/report.jsonl` as it arrives
 * (from whichever worker did it). Ctrl-C cancels the batch on the workers.
 */
export async function followBatch(
  address: QueueAddress,
  manifest: BatchManifest,
  options: FollowOptions,
): Promise<BatchSummary> {
  const started = performance.now();
  const reportPath = join(manifest.outDir, 'report.jsonl');
  const queue = new Queue(manifest.queue, { connection: address.options });
  const events = new QueueEvents(manifest.queue, { connection: address.options });
  const redis = new Redis(address.options);
  redis.on('error', () => undefined);
  const pending = new Map(manifest.jobs.map((j) => [j.id, j.input]));
  const counts = { edited: 0, notFound: 0, failed: 0 };
  let isFresh = await endsCleanly(reportPath);
  let wake: () => void = () => undefined;
  const settle = async (id: string): Promise<void> => {
    const input = pending.get(id);
    if (input === undefined) return;
    const job = await queue.getJob(id);
    // A paused batch's waiting photos are off the queue, held until it resumes: not gone.
    if (!job && (await heldJobs(redis, manifest.batchId)).some((held) => held.id === id)) return;
    const line = job
      ? lineOf(job, input, options.seed)
      : failedLine(input, options.seed, new Error('the job is gone from the queue'));
    if (!line || !pending.delete(id)) return;
    await appendReportLine(reportPath, line, isFresh);
    isFresh = true;
    counts[line.status === 'edited' ? 'edited' : line.status === 'not_found' ? 'notFound' : 'failed']++;
    const done = manifest.jobs.length - pending.size;
    const elapsed = performance.now() - started;
    options.onLine?.(line, { done, total: manifest.jobs.length, etaMs: (elapsed / done) * pending.size });
  };
  let chain = Promise.resolve();
  const enqueueSettle = (id: string): void => {
    chain = chain.then(() => settle(id)).then(() => wake());
  };
  events.on('completed', ({ jobId }) => enqueueSettle(jobId));
  events.on('failed', ({ jobId }) => enqueueSettle(jobId));
  events.on('progress', ({ data }) => {
    const p = data as { i?: number; n?: number };
    if (typeof p.i === 'number' && typeof p.n === 'number' && p.n > 0) options.onStep?.(p.i / p.n);
  });
  const onAbort = (): void => wake();
  options.signal.addEventListener('abort', onAbort);
  try {
    await events.waitUntilReady();
    // The queue's events settle each job as it ends; every job is also looked at once now (some may have ended
    // before this client listened) and again only when no event came for a while (a lost event connection).
    let isSweepDue = true;
    while (pending.size > 0 && !options.signal.aborted) {
      if (isSweepDue) for (const id of [...pending.keys()]) enqueueSettle(id);
      await chain;
      if (pending.size === 0) break;
      isSweepDue = await new Promise<boolean>((resolve) => {
        wake = () => resolve(false);
        setTimeout(() => resolve(true), options.sweepMs ?? 10_000).unref();
      });
    }
    await chain;
    if (options.signal.aborted) {
      await cancelBatch(address, manifest);
      throw new CancelledError();
    }
  } finally {
    options.signal.removeEventListener('abort', onAbort);
    await events.close();
    await queue.close();
    redis.disconnect();
  }
  return summaryOf(counts, manifest.jobs.length, performance.now() - started, reportPath);
}

function summaryOf(
  counts: { edited: number; notFound: number; failed: number },
  done: number,
  wallMs: number,
  report: string,
): BatchSummary {
  return {
    total: done,
    ...counts,
    skipped: 0,
    wallMs: Math.round(wallMs),
    imagesPerMinute: done > 0 ? Math.round((done / wallMs) * 60_000 * 10) / 10 : 0,
    engineBusy: null,
    report,
  };
}
