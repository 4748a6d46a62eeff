import sharp from 'sharp';
import type { BatchEvent, ImageId, JobEvent, JobId, JobResult } from '../../../shared/api';
import type { EditRecipe } from '../../../main/engine/recipe';
import { openImage } from '../../../main/image/decode';
import type { SheetBatchDeps } from '../../../main/batch/sheet';
import type { ImageStore } from '../../../main/services/images';

const recipe = { app: { name: 'IIR Studio', version: 'test' }, prompt: 'test' } as unknown as EditRecipe;

/** Where the fake search finds its region in every photo, and the fake edit changes it. */
export const box = { x0: 40, y0: 30, x1: 120, y1: 90 } as const;

/** A JPEG of `width`×`height` whose colour says which photo it is (red = 20 × index). */
export async function photoBytes(index: number, width = 320, height = 240): Promise<Uint8Array> {
  const background = { r: 20 * index, g: 120, b: 200 };
  return new Uint8Array(
    await sharp({ create: { width, height, channels: 3, background } })
      .jpeg()
      .toBuffer(),
  );
}

/** An edit result of `sourceId` (stored values changed inside {@link box}), as the engine's edit stores one. */
async function addEdit(store: ImageStore, sourceId: ImageId): Promise<ImageId> {
  const bytes = await store.encoded(sourceId);
  const source = await openImage(bytes, { name: 'photo.jpg' });
  const stored = await source.decodeStored();
  const region = new Uint8Array(stored.width * stored.height);
  for (let y = box.y0; y < box.y1; y++) {
    region.fill(255, y * stored.width + box.x0, y * stored.width + box.x1);
    for (let x = box.x0; x < box.x1; x++) stored.data[(y * stored.width + x) * stored.channels] = 255;
  }
  const rgb = (await source.decode()).rgb;
  const edit = { image: stored, region, recipe, sourceId, originalBytes: bytes, originalName: 'photo.jpg' };
  return store.addRgb('result', rgb, { name: store.info(sourceId).name, edit }).id;
}

/**
 * The app's search and edit jobs, faked over a real image store: the search stores a mask of {@link box}, the edit a
 * result with its stored edit. With `held`, jobs finish only when {@link FakeJobs.finishAll} says so.
 */
export function fakeJobs(store: ImageStore, held = false) {
  const listeners = new Set<(event: JobEvent) => void>();
  const waiting: (() => void)[] = [];
  const cancelled = new Set<JobId>();
  let count = 0;
  const send = (event: JobEvent): void => listeners.forEach((listener) => listener(event));

  function job(kind: 'segment' | 'edit', work: () => Promise<JobResult>): { jobId: JobId } {
    const jobId = `job_${String(++count).padStart(8, '0')}` as JobId;
    const run = async (): Promise<void> => {
      if (cancelled.has(jobId)) return;
      if (kind === 'edit') send({ type: 'step', jobId, kind, i: 1, n: 2 });
      send({ type: 'completed', jobId, kind, result: await work() });
    };
    if (held) waiting.push(() => void run());
    else setTimeout(() => void run(), 1);
    return { jobId };
  }

  const deps: Omit<SheetBatchDeps, 'emit' | 'photos' | 'slots'> = {
    segment: ({ imageId }) =>
      job('segment', async () => {
        const { width, height } = store.info(imageId);
        const data = new Uint8Array(width * height);
        for (let y = box.y0; y < box.y1; y++) data.fill(255, y * width + box.x0, y * width + box.x1);
        const maskId = store.addMask({ width, height, data }).id;
        const instance = { ...box, phrase: 'red', score: 0.9 };
        return await Promise.resolve({ kind: 'segment', maskId, instances: [instance], message: null });
      }),
    edit: ({ imageId }) =>
      job('edit', async () => ({
        kind: 'edit',
        resultIds: [await addEdit(store, imageId)],
        seeds: [1],
        provider: 'cpu',
      })),
    cancelJob: (jobId) => {
      cancelled.add(jobId);
      send({ type: 'cancelled', jobId, kind: 'edit' });
    },
    onJobEvent: (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
  return {
    deps,
    cancelled,
    /** Finishes every job started so far (held jobs). */
    finishAll: (): void => waiting.splice(0).forEach((finish) => finish()),
  };
}

/**
 * The events a batch sent, and the store's bytes when each went out, besides the small pictures the sheet keeps
 * (`held`: each photo's latest picture counted at its size).
 */
export function recorder(store: ImageStore) {
  const events: BatchEvent[] = [];
  const held: number[] = [];
  const pictures = new Map<number, number>();
  return {
    events,
    held,
    emit: (event: BatchEvent): void => {
      events.push(event);
      if (event.type === 'item') {
        const thumb = event.thumbId === null ? null : store.info(event.thumbId);
        pictures.set(event.index, thumb ? thumb.width * thumb.height * 3 : 0);
      }
      held.push(store.usage().bytes - [...pictures.values()].reduce((a, b) => a + b, 0));
    },
    /** The last event of each photo, in index order. */
    items: () => {
      const last = new Map<number, Extract<BatchEvent, { type: 'item' }>>();
      for (const event of events) if (event.type === 'item') last.set(event.index, event);
      return [...last.values()].sort((a, b) => a.index - b.index);
    },
  };
}
