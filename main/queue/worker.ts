import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import { UnrecoverableError, WaitingError, Worker, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import type { ProviderChoice } from '../../shared/api';
import { IirError, isIirError } from '../../shared/errors';
import type { SerialEngine } from '../batch/engine';
import { editPhoto } from '../batch/photo';
import type { BatchReportLine } from '../batch/report';
import { listInstalled } from '../models/receipt';
import { type QueueAddress } from './connection';
import { describeDevice, heartbeatMs, Throughput, type WorkerHeartbeat } from './heartbeat';
import { runInteractiveJob } from './interactiveRun';
import { batchItemJobSchema, cancelChannel, directQueueName, queueNameFor, workerKey } from './jobs';
import { checkedInput, checkedOutput } from './roots';

/** How a worker runs. */
export interface QueueWorkerOptions {
  readonly address: QueueAddress;
  readonly modelsDir: string;
  readonly provider: ProviderChoice;
  /** Jobs run at once (the engine still edits one photo at a time; reading and writing overlap). */
  readonly concurrency: number;
  /** Real paths of the folders jobs may read from and write to. */
  readonly inputRoots: readonly string[];
  readonly outputRoots: readonly string[];
  /** How long a job's lock lasts without renewal: a killed worker's job is retried elsewhere after about this. */
  readonly lockMs: number;
  readonly engine: SerialEngine;
  readonly log: (message: string) => void;
  /** The provider `auto` resolved to here, when known (for `iir workers`). */
  readonly resolvedProvider?: string | null;
}

/** The queues of every SD1.5 × ControlNet pair installed, if segmentation models are there too. */
async function queuesFor(modelsDir: string): Promise<{ queues: string[]; models: string[] }> {
  const installed = await listInstalled(modelsDir);
  const ids = (role: string): string[] => installed.filter((m) => m.receipt.role === role).map((m) => m.id);
  const sds = [...ids('sd15'), ...ids('lcm')];
  const controlnets = [...ids('controlnet-iir'), ...ids('controlnet-canny')];
  if (ids('grounding').length === 0 || ids('sam').length === 0)
    return { queues: [], models: installed.map((m) => m.id) };
  return {
    queues: sds.flatMap((sd) => controlnets.map((cn) => queueNameFor(sd, cn))),
    models: installed.map((m) => m.id),
  };
}

/** A running worker: `close()` finishes the job in hand and takes no new one. */
export interface RunningWorker {
  readonly id: string;
  readonly queues: readonly string[];
  close(): Promise<void>;
}

/**
 * Takes batch photos from every queue whose models are installed here, and the editor's jobs from those queues and
 * from its own, and runs them with the same code as the app, in this worker's engine process. Each job is
 * validated again; batch photos must read and write inside the roots.
 */
export async function startQueueWorker(options: QueueWorkerOptions): Promise<RunningWorker> {
  const { queues, models } = await queuesFor(options.modelsDir);
  if (queues.length === 0) {
    throw new IirError(
      'model_missing',
      `${options.modelsDir} does not hold an SD1.5 model, a ControlNet, GroundingDINO and SAM: nothing to run here`,
    );
  }
  const id = `${hostname()}-${process.pid}-${randomUUID().slice(0, 8)}`;
  const direct = directQueueName(id);
  const redis = new Redis(options.address.options);
  redis.on('error', () => undefined);
  const heart = await startHeartbeat(redis, options, { id, models, queues, direct });
  // One BullMQ worker per queue, but `concurrency` jobs in hand in all: the others stop fetching while it is full.
  let workers: Worker[] = [];
  let inHand = 0;
  const gate = (delta: number): void => {
    inHand += delta;
    for (const worker of workers) {
      if (inHand >= options.concurrency && !worker.isPaused()) void worker.pause(true);
      else if (inHand < options.concurrency && worker.isPaused()) void worker.resume();
    }
  };
  const process_ = async (job: Job, token?: string, signal?: AbortSignal): Promise<unknown> => {
    if (inHand >= options.concurrency && token !== undefined) {
      // Taken by a queue's worker that was already waiting when another queue filled this one: back it goes, with
      // its priority, for the next free worker (so an editor's job is never stuck behind a batch photo here).
      await job.moveToWait(token);
      throw new WaitingError();
    }
    gate(1);
    heart.stats.current = job.id ?? null;
    void heart.beat();
    const started = performance.now();
    try {
      const abort = signal ?? new AbortController().signal;
      const value =
        job.name === 'batch-item'
          ? await runJob(job, options, abort)
          : await runInteractive(job, { ...options, redis, workerId: id }, abort);
      heart.stats.done++;
      heart.throughput.add(performance.now() - started);
      return value;
    } catch (error) {
      heart.stats.failed++;
      throw error;
    } finally {
      heart.stats.current = null;
      gate(-1);
      void heart.beat();
    }
  };
  workers = [...queues, direct].map(
    (name) =>
      new Worker(name, process_, {
        connection: options.address.options,
        concurrency: options.concurrency,
        lockDuration: options.lockMs,
        stalledInterval: Math.max(500, Math.round(options.lockMs / 2)),
        maxStalledCount: 2,
      }),
  );
  for (const worker of workers) worker.on('error', (error) => options.log(`queue: ${error.message.split('\n')[0]}`));

  const subscriber = await listenForCancels(options, workers);

  return {
    id,
    queues,
    async close() {
      heart.stop();
      await Promise.all(workers.map((worker) => worker.close()));
      await redis.del(workerKey(id)).catch(() => undefined);
      redis.disconnect();
      subscriber.disconnect();
    },
  };
}

/** Renews this worker's heartbeat every few seconds (and at once after each job). */
async function startHeartbeat(
  redis: Redis,
  options: QueueWorkerOptions,
  self: { id: string; models: string[]; queues: string[]; direct: string },
) {
  const stats = { current: null as string | null, done: 0, failed: 0 };
  const throughput = new Throughput();
  const started = Date.now();
  const device = await describeDevice();
  const beat = async (): Promise<void> => {
    const heartbeat: WorkerHeartbeat = {
      ...self,
      host: hostname(),
      pid: process.pid,
      provider: options.provider,
      resolvedProvider: options.resolvedProvider ?? null,
      device,
      threads: options.engine.threads ?? null,
      concurrency: options.concurrency,
      ...stats,
      ...throughput.figures(started),
      startedAt: new Date(started).toISOString(),
      seenAt: new Date().toISOString(),
    };
    await redis.set(workerKey(self.id), JSON.stringify(heartbeat), 'PX', heartbeatMs * 3).catch(() => undefined);
  };
  await beat();
  const timer = setInterval(() => void beat(), heartbeatMs);
  return { stats, throughput, beat, stop: () => clearInterval(timer) };
}

/** An interactive job (the editor's edit or search): mistakes in it fail at once, without retries. */
async function runInteractive(
  job: Job,
  options: QueueWorkerOptions & { redis: Redis; workerId: string },
  signal: AbortSignal,
): Promise<unknown> {
  try {
    return await runInteractiveJob(job.data, job.id ?? randomUUID(), {
      ...options,
      signal,
      report: (progress) => void job.updateProgress(progress).catch(() => undefined),
    });
  } catch (error) {
    if (signal.aborted) throw new UnrecoverableError('cancelled');
    if (isIirError(error) && error.code !== 'internal' && error.code !== 'out_of_memory') {
      throw new UnrecoverableError(error.message);
    }
    throw error;
  }
}

/** Stops the jobs clients cancel (a batch's Ctrl-C, the editor's Cancel) on whichever of `workers` holds them. */
async function listenForCancels(options: QueueWorkerOptions, workers: readonly Worker[]): Promise<Redis> {
  const subscriber = new Redis(options.address.options);
  subscriber.on('error', () => undefined);
  await subscriber.subscribe(cancelChannel);
  subscriber.on('message', (_channel, message: string) => {
    const ids = parseCancel(message);
    for (const worker of workers) for (const jobId of ids) worker.cancelJob(jobId, 'cancelled');
  });
  return subscriber;
}

function parseCancel(message: string): string[] {
  try {
    const value = JSON.parse(message) as { jobIds?: unknown };
    return Array.isArray(value.jobIds) ? value.jobIds.filter((x): x is string => typeof x === 'string') : [];
  } catch {
    return [];
  }
}

/** One job: validated, kept inside the roots, edited; mistakes in the job are not retried. */
async function runJob(job: Job, options: QueueWorkerOptions, signal: AbortSignal): Promise<BatchReportLine> {
  const parsed = batchItemJobSchema.safeParse(job.data);
  if (!parsed.success) throw new UnrecoverableError(`not a valid IIR Studio job: ${parsed.error.issues[0]?.message}`);
  const data = parsed.data;
  try {
    const input = await checkedInput(data.input, options.inputRoots, data.inputSha256);
    const output = await checkedOutput(data.output, options.outputRoots);
    return await editPhoto(
      {
        ...data,
        input,
        output,
        modelsDir: options.modelsDir,
        provider: options.provider,
        runId: job.id ?? randomUUID(),
        // The job owns its output (its id hashes the work): a retry after a kill replaces what the first try wrote.
        overwrite: true,
      },
      options.engine,
      signal,
      (i, n) => void job.updateProgress({ i, n }).catch(() => undefined),
    );
  } catch (error) {
    if (signal.aborted) throw new UnrecoverableError('cancelled');
    // The job's own mistakes (a path outside the roots, a changed or unreadable photo) fail the same way anywhere.
    if (isIirError(error) && error.code !== 'internal' && error.code !== 'out_of_memory') {
      throw new UnrecoverableError(error.message);
    }
    throw error;
  }
}
