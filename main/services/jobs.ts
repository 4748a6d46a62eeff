import { randomUUID } from 'node:crypto';
import {
  type ApiError,
  type ImageId,
  type JobEvent,
  type JobId,
  type JobKind,
  type JobResult,
  type JobSummary,
  type JobProgress,
  isTerminalJobEvent,
  maxStepEventsPerSecond,
} from '../../shared/api';
import { isIirError } from '../../shared/errors';
import { toApiError } from '../ipc/router';

/** What a running job may report; step reports are throttled by the queue. */
export interface JobContext {
  readonly signal: AbortSignal;
  /**
   * Loading, or step `i` of `n` done. A step's `preview` is called only when its event is actually emitted, so a
   * preview image is stored at most as often as events go out.
   */
  progress(progress: JobProgress<() => ImageId | undefined>): void;
}

/** A job to queue: its kind, the device queue it runs in and the work itself. */
export interface JobSpec {
  readonly kind: JobKind;
  readonly device: string;
  run(context: JobContext): Promise<JobResult>;
}

interface Job {
  readonly id: JobId;
  /** Its work is let go once it finishes (the closure may hold a photo's pixels). */
  spec: JobSpec;
  readonly controller: AbortController;
  readonly events: JobEvent[];
  state: JobSummary['state'];
  step: { i: number; n: number } | null;
  lastStepAt: number;
  position: number;
}

interface Lane {
  running: Job | undefined;
  readonly waiting: Job[];
}

/** Options of {@link JobQueue}. */
export interface JobQueueOptions {
  /** Receives every job event, in order. */
  readonly emit: (event: JobEvent) => void;
  /** Milliseconds clock for step throttling (tests pass a fake). */
  readonly now?: () => number;
  /** Log for bugs inside a job (not shown to the user). */
  readonly log?: (message: string, error: unknown) => void;
  /** How many finished jobs `list` keeps. */
  readonly keepFinished?: number;
}

/** What a finished job keeps in place of its work (the queue never runs a job twice). */
const finishedRun = (): Promise<JobResult> => Promise.reject(new Error('the job has finished'));

/**
 * The one job queue: per device, one job runs at a time and the rest wait in order with visible positions. A job
 * ends with exactly one of `completed`, `failed`, `cancelled`; cancelling is idempotent and never ends in `failed`.
 */
export class JobQueue {
  private readonly lanes = new Map<string, Lane>();
  private readonly jobs = new Map<JobId, Job>();
  private readonly finished: JobId[] = [];
  private readonly emitEvent: (event: JobEvent) => void;
  private readonly now: () => number;
  private readonly log: ((message: string, error: unknown) => void) | undefined;
  private readonly keepFinished: number;
  private readonly idleWaiters = new Set<() => void>();

  constructor(options: JobQueueOptions) {
    this.emitEvent = options.emit;
    this.now = options.now ?? Date.now;
    this.log = options.log;
    this.keepFinished = options.keepFinished ?? 100;
  }

  /** Queues a job and answers its id at once. */
  submit(spec: JobSpec): JobId {
    const id = `job_${randomUUID()}` as JobId;
    const job: Job = {
      id,
      spec,
      controller: new AbortController(),
      events: [],
      state: 'queued',
      step: null,
      lastStepAt: Number.NEGATIVE_INFINITY,
      position: 0,
    };
    this.jobs.set(id, job);
    const lane = this.lane(spec.device);
    lane.waiting.push(job);
    this.announcePositions(lane);
    this.pump(spec.device);
    return id;
  }

  /** Cancels a queued or running job; false when it had already ended (or is unknown). */
  cancel(jobId: JobId): boolean {
    const job = this.jobs.get(jobId);
    if (!job || (job.state !== 'queued' && job.state !== 'running')) return false;
    const lane = this.lane(job.spec.device);
    if (job.state === 'queued') {
      lane.waiting.splice(lane.waiting.indexOf(job), 1);
      this.finish(job, 'cancelled');
      this.announcePositions(lane);
    } else {
      // The lane stays busy until the engine has actually stopped; the user hears "cancelled" now.
      job.controller.abort();
      this.finish(job, 'cancelled');
    }
    return true;
  }

  /** Every job: running and queued (by position) per device, then finished ones. */
  list(): JobSummary[] {
    const active: JobSummary[] = [];
    for (const [device, lane] of this.lanes) {
      if (lane.running && lane.running.state === 'running') active.push(this.summary(lane.running, device, null));
      lane.waiting.forEach((job, index) => active.push(this.summary(job, device, index + 1)));
    }
    const done = this.finished.flatMap((id) => {
      const job = this.jobs.get(id);
      return job ? [this.summary(job, job.spec.device, null)] : [];
    });
    return [...active, ...done];
  }

  /** The events of one job so far. */
  events(jobId: JobId): JobEvent[] {
    return [...(this.jobs.get(jobId)?.events ?? [])];
  }

  /** True when `jobId` is known. */
  has(jobId: JobId): boolean {
    return this.jobs.has(jobId);
  }

  /** Resolves when no job is running or waiting on any device (the engine has returned from every task). */
  whenIdle(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.add(resolve));
  }

  /** Cancels everything (shutdown). */
  cancelAll(): void {
    for (const job of [...this.jobs.values()]) this.cancel(job.id);
  }

  private isIdle(): boolean {
    return [...this.lanes.values()].every((lane) => !lane.running && lane.waiting.length === 0);
  }

  private lane(device: string): Lane {
    let lane = this.lanes.get(device);
    if (!lane) {
      lane = { running: undefined, waiting: [] };
      this.lanes.set(device, lane);
    }
    return lane;
  }

  private summary(job: Job, device: string, position: number | null): JobSummary {
    return { jobId: job.id, kind: job.spec.kind, state: job.state, position, device, step: job.step };
  }

  private pump(device: string): void {
    const lane = this.lane(device);
    if (lane.running) return;
    const job = lane.waiting.shift();
    if (!job) {
      if (this.isIdle()) {
        for (const resolve of this.idleWaiters) resolve();
        this.idleWaiters.clear();
      }
      return;
    }
    lane.running = job;
    job.state = 'running';
    this.announcePositions(lane);
    void this.runJob(job).finally(() => {
      lane.running = undefined;
      this.pump(device);
    });
  }

  private async runJob(job: Job): Promise<void> {
    const { id, spec } = job;
    const context: JobContext = {
      signal: job.controller.signal,
      progress: (progress) => {
        if (job.state !== 'running') return;
        if (progress.type === 'loading') return this.record(job, { jobId: id, kind: spec.kind, type: 'loading' });
        const { i, n, preview: makePreview } = progress;
        job.step = { i, n };
        const at = this.now();
        // The last step always goes out, so a bar reaches its end; the others at most maxStepEventsPerSecond.
        if (i < n && at - job.lastStepAt < 1000 / maxStepEventsPerSecond) return;
        job.lastStepAt = at;
        const previewId = makePreview?.();
        this.record(job, {
          jobId: id,
          kind: spec.kind,
          type: 'step',
          i,
          n,
          ...(previewId ? { previewId } : {}),
        });
      },
    };
    try {
      const result = await spec.run(context);
      if (job.state === 'running') this.finish(job, 'completed', result);
    } catch (error) {
      if (job.state !== 'running') return;
      if (job.controller.signal.aborted || (isIirError(error) && error.code === 'cancelled')) {
        this.finish(job, 'cancelled');
      } else {
        this.finish(job, 'failed', undefined, toApiError(error, this.log, `job ${spec.kind}`));
      }
    }
  }

  private finish(job: Job, state: 'completed' | 'failed' | 'cancelled', result?: JobResult, error?: ApiError): void {
    job.state = state;
    job.spec = { kind: job.spec.kind, device: job.spec.device, run: finishedRun };
    const base = { jobId: job.id, kind: job.spec.kind };
    if (state === 'completed' && result) this.record(job, { ...base, type: 'completed', result });
    else if (state === 'failed' && error) this.record(job, { ...base, type: 'failed', error });
    else this.record(job, { ...base, type: 'cancelled' });
    this.finished.push(job.id);
    while (this.finished.length > this.keepFinished) {
      const old = this.finished.shift();
      if (old) this.jobs.delete(old);
    }
  }

  private announcePositions(lane: Lane): void {
    lane.waiting.forEach((job, index) => {
      if (job.position === index + 1) return;
      job.position = index + 1;
      this.record(job, { jobId: job.id, kind: job.spec.kind, type: 'queued', position: job.position });
    });
  }

  private record(job: Job, event: JobEvent): void {
    const last = job.events.at(-1);
    if (last && isTerminalJobEvent(last)) return;
    job.events.push(event);
    this.emitEvent(event);
  }
}
