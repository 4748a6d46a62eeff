import { randomUUID } from 'node:crypto';
import { type BatchEvent, type JobEvent, type JobId, type RequestOf, waitingBatchItem } from '../../shared/api';
import { invalidArgument } from '../../shared/errors';

type Item = Extract<BatchEvent, { type: 'item' }>;
type State = Extract<BatchEvent, { type: 'batch' }>['state'];

/** What a sheet batch runs its photos with: the app's own search and edit requests (local or remote alike). */
export interface SheetBatchDeps {
  readonly segment: (request: RequestOf<'segment:start'>) => { jobId: JobId };
  readonly edit: (request: RequestOf<'edit:start'>) => { jobId: JobId };
  readonly cancelJob: (jobId: JobId) => void;
  /** Subscribes to every job event; returns the unsubscribe function. */
  readonly onJobEvent: (listener: (event: JobEvent) => void) => () => void;
  /** How many photos to have in hand at once (the live remote workers, or 1 on this machine). */
  readonly slots: () => Promise<number>;
  readonly emit: (event: BatchEvent) => void;
}

interface Batch {
  readonly id: string;
  readonly request: RequestOf<'batch:start'>;
  readonly items: Item[];
  state: State;
  next: number;
  inHand: Set<JobId>;
  slots: number;
}

/**
 * The Batch sheet's batches: the same region text and edit over opened photos, each photo a search then an edit
 * through the app's job queue (so remote workers take them when set). Pause starts no new photo; cancel stops all.
 */
export class SheetBatches {
  private readonly batches = new Map<string, Batch>();
  private readonly waiters = new Map<JobId, (event: JobEvent) => void>();
  private readonly steps = new Map<JobId, (i: number, n: number) => void>();

  constructor(private readonly deps: SheetBatchDeps) {
    deps.onJobEvent((event) => {
      if (event.type === 'step') this.steps.get(event.jobId)?.(event.i, event.n);
      if (event.type === 'completed' || event.type === 'failed' || event.type === 'cancelled') {
        this.waiters.get(event.jobId)?.(event);
      }
    });
  }

  async start(request: RequestOf<'batch:start'>): Promise<string> {
    const id = `batch_${randomUUID()}`;
    const items = request.imageIds.map((imageId, index): Item => ({
      type: 'item',
      batchId: id,
      index,
      imageId,
      ...waitingBatchItem,
    }));
    const batch: Batch = { id, request, items, state: 'running', next: 0, inHand: new Set(), slots: 1 };
    this.batches.set(id, batch);
    batch.slots = Math.max(1, Math.min(8, await this.deps.slots()));
    for (const item of items) this.deps.emit(item);
    this.announce(batch);
    this.pump(batch);
    return id;
  }

  pause(batchId: string): State {
    const batch = this.get(batchId);
    if (batch.state === 'running') batch.state = 'paused';
    this.announce(batch);
    return batch.state;
  }

  resume(batchId: string): State {
    const batch = this.get(batchId);
    if (batch.state === 'paused') batch.state = 'running';
    this.announce(batch);
    this.pump(batch);
    return batch.state;
  }

  cancel(batchId: string): State {
    const batch = this.get(batchId);
    if (batch.state === 'done' || batch.state === 'cancelled') return batch.state;
    batch.state = 'cancelled';
    for (const jobId of batch.inHand) this.deps.cancelJob(jobId);
    for (const item of batch.items.slice(batch.next)) this.update(item, { state: 'cancelled' });
    batch.next = batch.items.length;
    this.announce(batch);
    return batch.state;
  }

  private get(batchId: string): Batch {
    const batch = this.batches.get(batchId);
    if (!batch) throw invalidArgument(`no batch ${batchId}`);
    return batch;
  }

  private pump(batch: Batch): void {
    while (batch.state === 'running' && batch.next < batch.items.length && this.running(batch) < batch.slots) {
      const item = batch.items[batch.next++]!;
      void this.runItem(batch, item).finally(() => {
        if (batch.state === 'running' && batch.items.every((i) => isFinal(i.state))) batch.state = 'done';
        this.announce(batch);
        this.pump(batch);
      });
    }
  }

  private running(batch: Batch): number {
    return batch.items.filter((i) => i.state === 'finding' || i.state === 'editing').length;
  }

  private async runItem(batch: Batch, item: Item): Promise<void> {
    const { request } = batch;
    this.update(item, { state: 'finding' });
    const found = await this.follow(batch, item, () =>
      this.deps.segment({
        imageId: item.imageId,
        text: request.region,
        points: [],
        boxThreshold: request.boxThreshold,
        textThreshold: request.textThreshold,
        provider: request.params.provider,
      }),
    );
    if (found?.type !== 'completed' || found.result.kind !== 'segment') return;
    if (found.result.instances.length === 0) {
      return this.update(item, { state: 'not_found', message: found.result.message ?? 'nothing found' });
    }
    const maskId = found.result.maskId;
    this.update(item, { state: 'editing', maskId });
    const edited = await this.follow(batch, item, () =>
      this.deps.edit({ imageId: item.imageId, roi: { maskId }, params: { ...request.params, variations: 1 } }),
    );
    if (edited?.type !== 'completed' || edited.result.kind !== 'edit') return;
    const resultId = edited.result.resultIds[0] ?? null;
    this.update(item, { state: 'edited', resultId, worker: edited.result.worker ?? null, step: null });
  }

  /** Runs one job of a photo to its end; a failure or cancel ends the photo (and answers undefined). */
  private async follow(batch: Batch, item: Item, submit: () => { jobId: JobId }) {
    if (batch.state === 'cancelled') return void this.update(item, { state: 'cancelled' });
    let jobId: JobId;
    try {
      jobId = submit().jobId;
    } catch (error) {
      return void this.update(item, {
        state: 'failed',
        message: error instanceof Error ? error.message : String(error),
      });
    }
    batch.inHand.add(jobId);
    this.steps.set(jobId, (i, n) => this.update(item, { step: { i, n } }));
    const event = await new Promise<JobEvent>((resolve) => this.waiters.set(jobId, resolve));
    this.waiters.delete(jobId);
    this.steps.delete(jobId);
    batch.inHand.delete(jobId);
    if (event.type === 'failed') return void this.update(item, { state: 'failed', message: event.error.message });
    if (event.type === 'cancelled') return void this.update(item, { state: 'cancelled' });
    return event;
  }

  private update(item: Item, change: Partial<Omit<Item, 'type' | 'batchId' | 'index' | 'imageId'>>): void {
    Object.assign(item, change);
    this.deps.emit({ ...item });
  }

  private announce(batch: Batch): void {
    const done = batch.items.filter((i) => isFinal(i.state)).length;
    this.deps.emit({ type: 'batch', batchId: batch.id, state: batch.state, done, total: batch.items.length });
  }
}

const isFinal = (state: Item['state']): boolean => !['waiting', 'finding', 'editing'].includes(state);
