import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { z } from 'zod';
import type { QueueAddress } from './connection';
import { type BatchManifest, batchChannel, batchKeepSeconds, maxAttempts, pausedKey } from './jobs';

/** A photo taken off the queue by a pause: enough to put it back as it was (same id, so still idempotent). */
const heldJobSchema = z.object({ id: z.string(), name: z.string(), data: z.unknown(), priority: z.number() });
type HeldJob = z.infer<typeof heldJobSchema>;

/** A pause or resume, as announced on {@link batchChannel}. */
export interface BatchStateEvent {
  readonly batchId: string;
  readonly state: 'paused' | 'resumed';
  /** Photos held off the queue (paused), or put back (resumed). */
  readonly photos: number;
}

/** The photos a paused batch holds off the queue. */
export async function heldJobs(
  redis: { get(key: string): Promise<string | null> },
  batchId: string,
): Promise<HeldJob[]> {
  const text = await redis.get(pausedKey(batchId));
  if (text === null) return [];
  const parsed = z.array(heldJobSchema).safeParse(JSON.parse(text));
  return parsed.success ? parsed.data : [];
}

/**
 * Pauses a batch: its waiting photos are taken off the queue (kept, with their data, under the batch's key) so no
 * worker starts them; photos being edited finish. Other batches and the editor's jobs go on.
 */
export async function pauseBatch(address: QueueAddress, manifest: BatchManifest): Promise<number> {
  const queue = new Queue(manifest.queue, { connection: address.options });
  const redis = new Redis(address.options);
  try {
    const held = await heldJobs(redis, manifest.batchId);
    for (const { id } of manifest.jobs) {
      const job = await queue.getJob(id);
      if (!job || !['waiting', 'prioritized', 'delayed'].includes(await job.getState())) continue;
      // A worker may take it meanwhile: only a photo actually removed is held.
      if ((await queue.remove(id).catch(() => 0)) !== 1) continue;
      held.push({ id, name: job.name, data: job.data, priority: job.opts.priority ?? 0 });
    }
    await redis.set(pausedKey(manifest.batchId), JSON.stringify(held), 'EX', batchKeepSeconds);
    await announce(redis, { batchId: manifest.batchId, state: 'paused', photos: held.length });
    return held.length;
  } finally {
    await queue.close();
    redis.disconnect();
  }
}

/** Resumes a paused batch: its held photos go back on the queue under their own ids. */
export async function resumeBatch(address: QueueAddress, manifest: BatchManifest): Promise<number> {
  const queue = new Queue(manifest.queue, { connection: address.options });
  const redis = new Redis(address.options);
  try {
    const held = await heldJobs(redis, manifest.batchId);
    const keep = { age: batchKeepSeconds };
    await queue.addBulk(
      held.map((job) => ({
        name: job.name,
        data: job.data,
        opts: {
          jobId: job.id,
          attempts: maxAttempts,
          priority: job.priority,
          removeOnComplete: keep,
          removeOnFail: keep,
        },
      })),
    );
    // Back on the queue first, then no longer held: a follower never sees a photo that is neither.
    await redis.del(pausedKey(manifest.batchId));
    await announce(redis, { batchId: manifest.batchId, state: 'resumed', photos: held.length });
    return held.length;
  } finally {
    await queue.close();
    redis.disconnect();
  }
}

async function announce(redis: Redis, event: BatchStateEvent): Promise<void> {
  await redis.publish(batchChannel, JSON.stringify(event));
}

/** Hears the pauses and resumes of one batch until `close()`. */
export async function watchBatchState(
  address: QueueAddress,
  batchId: string,
  onChange: (event: BatchStateEvent) => void,
): Promise<{ close(): void }> {
  const subscriber = new Redis(address.options);
  subscriber.on('error', () => undefined);
  await subscriber.subscribe(batchChannel);
  subscriber.on('message', (_channel, message: string) => {
    try {
      const event = JSON.parse(message) as BatchStateEvent;
      if (event.batchId === batchId && (event.state === 'paused' || event.state === 'resumed')) onChange(event);
    } catch {
      // Not ours.
    }
  });
  return { close: () => subscriber.disconnect() };
}
