import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import { UnrecoverableError, Worker, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import type { ProviderChoice } from '../../shared/api';
import { IirError, isIirError } from '../../shared/errors';
import type { SerialEngine } from '../batch/engine';
import { editPhoto } from '../batch/photo';
import type { BatchReportLine } from '../batch/report';
import { listInstalled } from '../models/receipt';
import { type QueueAddress } from './connection';
import { batchItemJobSchema, cancelChannel, queueNameFor, workerKey } from './jobs';
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
}

/** What a worker tells the others (and `iir workers`) about itself, renewed every few seconds while it lives. */
export interface WorkerHeartbeat {
  readonly id: string;
  readonly host: string;
  readonly pid: number;
  readonly provider: ProviderChoice;
  readonly models: readonly string[];
  readonly queues: readonly string[];
  readonly current: string | null;
  readonly done: number;
  readonly failed: number;
  readonly startedAt: string;
  readonly seenAt: string;
}

const heartbeatMs = 5000;

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
 * Takes batch photos from every queue whose models are installed here and edits them with the same code as a local
 * batch, in this worker's engine process. Each job is validated again and must read and write inside the roots.
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
  const stats = { current: null as string | null, done: 0, failed: 0 };
  const startedAt = new Date().toISOString();
  const process_ = async (job: Job, _token?: string, signal?: AbortSignal): Promise<BatchReportLine> => {
    stats.current = job.id ?? null;
    try {
      const line = await runJob(job, options, signal ?? new AbortController().signal);
      stats.done++;
      return line;
    } catch (error) {
      stats.failed++;
      throw error;
    } finally {
      stats.current = null;
      void beat();
    }
  };
  const workers = queues.map(
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

  const redis = new Redis(options.address.options);
  redis.on('error', () => undefined);
  const beat = async (): Promise<void> => {
    const heartbeat: WorkerHeartbeat = {
      id,
      host: hostname(),
      pid: process.pid,
      provider: options.provider,
      models,
      queues,
      ...stats,
      startedAt,
      seenAt: new Date().toISOString(),
    };
    await redis.set(workerKey(id), JSON.stringify(heartbeat), 'PX', heartbeatMs * 3).catch(() => undefined);
  };
  await beat();
  const timer = setInterval(() => void beat(), heartbeatMs);

  const subscriber = new Redis(options.address.options);
  subscriber.on('error', () => undefined);
  await subscriber.subscribe(cancelChannel);
  subscriber.on('message', (_channel, message: string) => {
    const ids = parseCancel(message);
    for (const worker of workers) for (const jobId of ids) worker.cancelJob(jobId, 'cancelled');
  });

  return {
    id,
    queues,
    async close() {
      clearInterval(timer);
      await Promise.all(workers.map((worker) => worker.close()));
      await redis.del(workerKey(id)).catch(() => undefined);
      redis.disconnect();
      subscriber.disconnect();
    },
  };
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
