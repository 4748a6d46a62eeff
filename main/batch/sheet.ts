import { randomUUID } from 'node:crypto';
import {
  type BatchEvent,
  type ImageId,
  type JobEvent,
  type JobId,
  type RequestOf,
  waitingBatchItem,
} from '../../shared/api';
import { invalidArgument } from '../../shared/errors';
import { Places } from './places';
import type { ParkedPhoto, SheetPhotos } from './sheetPhotos';

type Item = Extract<BatchEvent, { type: 'item' }>;
type State = Extract<BatchEvent, { type: 'batch' }>['state'];
type Supply = RequestOf<'batch:supply'>;
/** How a photo that went through ended, said once it is kept. */
type Outcome = Partial<Item> & { state: 'edited' | 'not_found'; resultId: ImageId | null };

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
  /** The photos in main's image store: opened at their turn, let go once done, kept on disk to reopen. */
  readonly photos: SheetPhotos;
}

interface Batch {
  readonly id: string;
  readonly request: RequestOf<'batch:start'>;
  readonly items: Item[];
  state: State;
  next: number;
  inHand: Set<JobId>;
  slots: number;
  /** Photos between their turn and their end (opening, in the engine, or being kept): at most `slots` + 1. */
  active: number;
  /** Places in the engine (searching or editing): `slots` of them; the photo opened ahead waits for one. */
  readonly places: Places;
  /** The folder the finished photos are kept in. */
  readonly folder: string;
  readonly parked: Map<number, ParkedPhoto>;
  /** The `opening` items waiting for their photo, by index. */
  readonly supplies: Map<number, (supply: Supply | null) => void>;
}

/**
 * The Batch sheet's batches: the same region text and edit over many photos, each photo a search then an edit
 * through the app's job queue (so remote workers take them when set). Pause starts no new photo; cancel stops all.
 * Main holds only the photos in hand: each is asked for when its turn comes (`opening`, answered by `batch:supply`),
 * and once done it is kept on disk and let go (a small picture stays); `batch:open` reopens it.
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
    await this.forgetFinished();
    const id = `batch_${randomUUID()}`;
    const items = Array.from({ length: request.count }, (_, index): Item => ({
      type: 'item',
      batchId: id,
      index,
      ...waitingBatchItem,
    }));
    const folder = await this.deps.photos.folder();
    const batch: Batch = {
      ...{ id, request, items, state: 'running', next: 0, inHand: new Set(), slots: 1, active: 0 },
      ...{ folder, parked: new Map(), supplies: new Map(), places: new Places() },
    };
    this.batches.set(id, batch);
    batch.slots = Math.max(1, Math.min(8, await this.deps.slots()));
    batch.places.size = batch.slots;
    for (const item of items) this.deps.emit(item);
    this.announce(batch);
    this.pump(batch);
    return id;
  }

  /** The photo an `opening` item asked for (or why the client could not read it). */
  supply(request: Supply): { accepted: boolean } {
    const { supplies } = this.get(request.batchId);
    const resolve = supplies.get(request.index);
    if (!resolve) throw invalidArgument(`photo ${request.index + 1} of the batch is not waiting for its file`);
    supplies.delete(request.index);
    resolve(request);
    return { accepted: true };
  }

  /** Reopens a finished photo into the store (its original, found region and result). */
  async open(
    request: RequestOf<'batch:open'>,
  ): Promise<{ imageId: ImageId; maskId: ImageId | null; resultId: ImageId | null }> {
    const parked = this.get(request.batchId).parked.get(request.index);
    if (!parked) throw invalidArgument(`photo ${request.index + 1} of the batch has nothing to open yet`);
    return this.deps.photos.reopen(parked);
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
    for (const resolve of batch.supplies.values()) resolve(null);
    batch.supplies.clear();
    batch.places.releaseAll();
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
    while (batch.state === 'running' && batch.next < batch.items.length && batch.active <= batch.slots) {
      const item = batch.items[batch.next++]!;
      batch.active++;
      void this.runItem(batch, item).finally(() => {
        batch.active--;
        const ended = batch.active === 0 && batch.items.every((i) => isFinal(i.state));
        if (batch.state === 'running' && ended) batch.state = 'done';
        this.announce(batch);
        this.pump(batch);
      });
    }
  }

  /** One photo from its turn to its end: opened, found and edited, then kept on disk and let go. */
  private async runItem(batch: Batch, item: Item): Promise<void> {
    const ticket = batch.places.ticket();
    const imageId = await this.take(batch, item);
    if (imageId === null) return batch.places.give();
    let outcome: Outcome | null = null;
    await batch.places.take(ticket, batch.state === 'cancelled');
    try {
      outcome = await this.edit(batch, item, imageId);
    } finally {
      batch.places.give();
      await this.finish(batch, item, imageId, outcome);
    }
  }

  /** Asks for the photo and opens it (validated in main); null when it could not be had. */
  private async take(batch: Batch, item: Item): Promise<ImageId | null> {
    // Waiting before asking: a client in this process may answer while the event is still going out.
    const supplied = new Promise<Supply | null>((resolve) => batch.supplies.set(item.index, resolve));
    this.update(item, { state: 'opening' });
    const supply = await supplied;
    if (supply === null || batch.state === 'cancelled') return this.end(item, { state: 'cancelled' });
    if ('unreadable' in supply) return this.end(item, { state: 'failed', message: supply.unreadable });
    let imageId: ImageId | null = null;
    try {
      imageId = (await this.deps.photos.open(supply.image)).id;
      // Said with 'finding' when its turn in the engine comes (one 'opening' event per photo).
      Object.assign(item, { imageId, thumbId: await this.deps.photos.thumbnail(imageId) });
      return imageId;
    } catch (error) {
      this.deps.photos.release([imageId]);
      return this.end(item, { state: 'failed', imageId: null, message: messageOf(error) });
    }
  }

  /** Finds the region and edits it; answers how the photo ended (said once it is kept), null when it failed. */
  private async edit(batch: Batch, item: Item, imageId: ImageId): Promise<Outcome | null> {
    const { request } = batch;
    this.update(item, { state: 'finding' });
    const found = await this.follow(batch, item, () =>
      this.deps.segment({
        imageId,
        text: request.region,
        points: [],
        boxThreshold: request.boxThreshold,
        textThreshold: request.textThreshold,
        provider: request.params.provider,
      }),
    );
    if (found?.type !== 'completed' || found.result.kind !== 'segment') return null;
    // The (empty) mask of a photo where nothing was found is let go with it.
    item.maskId = found.result.maskId;
    if (found.result.instances.length === 0) {
      return { state: 'not_found', resultId: null, message: found.result.message ?? 'nothing found' };
    }
    const maskId = found.result.maskId;
    this.update(item, { state: 'editing', maskId });
    const edited = await this.follow(batch, item, () =>
      this.deps.edit({ imageId, roi: { maskId }, params: { ...request.params, variations: 1 } }),
    );
    if (edited?.type !== 'completed' || edited.result.kind !== 'edit') return null;
    const resultId = edited.result.resultIds[0] ?? null;
    return { state: 'edited', resultId, worker: edited.result.worker ?? null, provider: edited.result.provider };
  }

  /** A finished photo kept on disk (its result pictured small), then every image of it let go. */
  private async finish(batch: Batch, item: Item, imageId: ImageId, outcome: Outcome | null): Promise<void> {
    const { maskId } = item;
    const resultId = outcome?.resultId ?? null;
    let change: Partial<Item> = outcome ?? {};
    try {
      if (outcome) {
        const held = { imageId, maskId: outcome.state === 'edited' ? maskId : null, resultId };
        batch.parked.set(item.index, await this.deps.photos.park(batch.folder, item.index, held));
      }
      if (resultId !== null) {
        this.deps.photos.release([item.thumbId]);
        change = { ...change, thumbId: await this.deps.photos.thumbnail(resultId) };
      }
    } catch (error) {
      batch.parked.delete(item.index);
      change = { state: 'failed', message: `could not keep the result: ${messageOf(error)}` };
    }
    this.deps.photos.release([imageId, maskId, resultId]);
    this.update(item, { ...change, imageId: null, maskId: null, resultId: null, step: null });
  }

  /** Forgets the batches that ended: their folders and small pictures (one batch at a time is the sheet's way). */
  private async forgetFinished(): Promise<void> {
    for (const batch of this.batches.values()) {
      if (batch.state !== 'done' && batch.state !== 'cancelled') continue;
      this.batches.delete(batch.id);
      this.deps.photos.release(batch.items.map((i) => i.thumbId));
      await this.deps.photos.removeFolder(batch.folder);
    }
  }

  /** Runs one job of a photo to its end; a failure or cancel ends the photo (and answers undefined). */
  private async follow(batch: Batch, item: Item, submit: () => { jobId: JobId }) {
    if (batch.state === 'cancelled') return void this.update(item, { state: 'cancelled' });
    let jobId: JobId;
    try {
      jobId = submit().jobId;
    } catch (error) {
      return void this.update(item, { state: 'failed', message: messageOf(error) });
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

  private update(item: Item, change: Partial<Omit<Item, 'type' | 'batchId' | 'index'>>): void {
    Object.assign(item, change);
    this.deps.emit({ ...item });
  }

  /** Ends a photo that never got into main (answers null, for {@link take}). */
  private end(item: Item, change: Partial<Item>): null {
    this.update(item, change);
    return null;
  }

  private announce(batch: Batch): void {
    const done = batch.items.filter((i) => isFinal(i.state)).length;
    this.deps.emit({ type: 'batch', batchId: batch.id, state: batch.state, done, total: batch.items.length });
  }
}

const isFinal = (state: Item['state']): boolean => !['waiting', 'opening', 'finding', 'editing'].includes(state);

const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));
