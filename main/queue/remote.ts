import { randomUUID } from 'node:crypto';
import { Queue, QueueEvents } from 'bullmq';
import type { Redis } from 'ioredis';
import { CancelledError, IirError } from '../../shared/errors';
import type { EditValue } from '../engine/process/editTask';
import type { SegmentValue } from '../engine/process/segmentTask';
import { type QueueAddress, connectQueue, parseQueueUrl } from './connection';
import { readHeartbeats, type WorkerHeartbeat } from './heartbeat';
import { putInline, takeResult } from './inline';
import {
  type RemoteEditJob,
  type RemoteProgress,
  type RemoteSegmentJob,
  remoteProgressSchema,
  remoteReturnSchema,
} from './interactiveJobs';
import { cancelChannel, priorities, workerKey } from './jobs';
import { chooseTarget } from './target';
import { checkEditValue, checkSegmentValue } from './remoteValues';

/** An edit or a search to run on a worker, with the photo's bytes (and the mask's) in hand. */
export type RemoteRequest =
  | (Omit<RemoteEditJob, 'image' | 'mask'> & {
      bytes: Uint8Array;
      mask: { width: number; height: number; data: Uint8Array };
    })
  | (Omit<RemoteSegmentJob, 'image'> & { bytes: Uint8Array });

/** What a remote run hands back: the engine's own value, and which worker made it. */
export interface RemoteOutcome<V> {
  readonly value: V;
  readonly worker: string;
  /** Milliseconds the worker spent on the job (the rest of the wait is the queue and the transfers). */
  readonly workerMs: number;
}

/** Options of a remote run. */
export interface RemoteRunOptions {
  readonly signal: AbortSignal;
  readonly onProgress?: (progress: RemoteProgress) => void;
  /** Fires when a worker takes the job. */
  readonly onWorker?: (workerId: string) => void;
}

/** How often the client checks that the worker its job was aimed at is still alive. */
const watchMs = 3000;

/**
 * The editor's (and serve mode's) end of the queue: lists the live workers, and runs edits and searches on the
 * fastest free worker that has their models, with progress, previews and cancel through the queue.
 */
export class RemoteQueue {
  private readonly queues = new Map<string, { queue: Queue; events: QueueEvents }>();

  private constructor(
    readonly address: QueueAddress,
    private readonly redis: Redis,
  ) {}

  /** Connects (checking the address and password: one clear line when wrong). */
  static async connect(url: string | QueueAddress): Promise<RemoteQueue> {
    const address = typeof url === 'string' ? parseQueueUrl(url) : url;
    const redis = await connectQueue(address);
    redis.on('error', () => undefined);
    return new RemoteQueue(address, redis);
  }

  /** The live workers, fastest first. */
  workers(): Promise<WorkerHeartbeat[]> {
    return readHeartbeats(this.redis);
  }

  async edit(request: Extract<RemoteRequest, { kind: 'edit' }>, options: RemoteRunOptions) {
    const { bytes, mask, ...rest } = request;
    const image = await putInline(this.redis, request.name, bytes);
    const maskRef = await putInline(this.redis, `the mask of ${request.name}`, mask.data);
    const job: RemoteEditJob = { ...rest, image, mask: { width: mask.width, height: mask.height, bytes: maskRef } };
    const outcome = await this.run(job, options);
    return { ...outcome, value: checkEditValue(outcome.value) } satisfies RemoteOutcome<EditValue>;
  }

  async segment(request: Extract<RemoteRequest, { kind: 'segment' }>, options: RemoteRunOptions) {
    const { bytes, ...rest } = request;
    const job: RemoteSegmentJob = { ...rest, image: await putInline(this.redis, request.name, bytes) };
    const outcome = await this.run(job, options);
    return { ...outcome, value: checkSegmentValue(outcome.value) } satisfies RemoteOutcome<SegmentValue>;
  }

  async close(): Promise<void> {
    for (const { queue, events } of this.queues.values()) await Promise.all([queue.close(), events.close()]);
    this.queues.clear();
    this.redis.disconnect();
  }

  private async queue(name: string) {
    let entry = this.queues.get(name);
    if (!entry) {
      entry = {
        queue: new Queue(name, { connection: this.address.options }),
        events: new QueueEvents(name, { connection: this.address.options }),
      };
      // Every job in flight on this queue listens to its events (the Batch sheet has up to 8).
      entry.events.setMaxListeners(64);
      this.queues.set(name, entry);
      await entry.events.waitUntilReady();
    }
    return entry;
  }

  /** Runs a job, moving it once to another worker if the one it was aimed at stops. */
  private async run(job: RemoteEditJob | RemoteSegmentJob, options: RemoteRunOptions) {
    const gone = new Set<string>();
    for (;;) {
      const target = chooseTarget(await this.workers(), job, gone, this.address.display);
      const outcome = await this.follow(job, target, options);
      if (outcome !== 'worker-gone') return outcome;
      gone.add(target.worker!);
    }
  }

  private async follow(
    job: RemoteEditJob | RemoteSegmentJob,
    target: { queue: string; worker: string | null },
    options: RemoteRunOptions,
  ): Promise<RemoteOutcome<unknown> | 'worker-gone'> {
    const { queue, events } = await this.queue(target.queue);
    const jobId = randomUUID();
    return new Promise((resolve, reject) => {
      let settled = false;
      const finish = (action: () => void): void => {
        if (settled) return;
        settled = true;
        events.off('progress', onProgress).off('completed', onCompleted).off('failed', onFailed);
        options.signal.removeEventListener('abort', onAbort);
        clearInterval(watch);
        action();
      };
      const onProgress = ({ jobId: id, data }: { jobId: string; data: unknown }): void => {
        const parsed = id === jobId ? remoteProgressSchema.safeParse(data) : undefined;
        if (parsed?.success) options.onProgress?.(parsed.data);
      };
      const onCompleted = ({ jobId: id, returnvalue }: { jobId: string; returnvalue: unknown }): void => {
        if (id !== jobId) return;
        const parsed = remoteReturnSchema.safeParse(returnvalue);
        if (!parsed.success)
          return finish(() => reject(new IirError('io_error', 'a worker answered an unreadable result')));
        finish(() => {
          takeResult(this.redis, parsed.data.resultKey).then(
            (value) => resolve({ value, worker: parsed.data.worker, workerMs: parsed.data.ms }),
            reject,
          );
        });
      };
      const onFailed = ({ jobId: id, failedReason }: { jobId: string; failedReason: string }): void => {
        if (id !== jobId) return;
        finish(() =>
          reject(failedReason === 'cancelled' ? new CancelledError() : new IirError('invalid_argument', failedReason)),
        );
      };
      const onAbort = (): void => {
        finish(() => reject(new CancelledError()));
        void this.redis.publish(cancelChannel, JSON.stringify({ jobIds: [jobId] })).catch(() => undefined);
        void queue.remove(jobId).catch(() => 0);
      };
      const watch = setInterval(() => {
        if (target.worker === null) return;
        void this.redis.exists(workerKey(target.worker)).then(async (alive) => {
          if (alive || settled) return;
          await queue.remove(jobId).catch(() => 0);
          finish(() => resolve('worker-gone'));
        });
      }, watchMs);
      events.on('progress', onProgress).on('completed', onCompleted).on('failed', onFailed);
      options.signal.addEventListener('abort', onAbort, { once: true });
      if (target.worker) options.onWorker?.(target.worker);
      queue
        .add(job.kind, job, {
          jobId,
          priority: priorities.interactive,
          attempts: 1,
          removeOnComplete: true,
          removeOnFail: { age: 600 },
        })
        .catch((error: unknown) => finish(() => reject(error instanceof Error ? error : new Error(String(error)))));
    });
  }
}
