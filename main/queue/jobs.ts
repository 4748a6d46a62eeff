import { createHash } from 'node:crypto';
import { z } from 'zod';
import { editParamsSchema } from '../../shared/api';

/** Redis key prefix of everything IIR Studio keeps in the queue's database besides BullMQ's own keys. */
export const keyPrefix = 'iir';
/** The channel on which clients ask workers to stop jobs. */
export const cancelChannel = `${keyPrefix}:cancel`;
/** Jobs from the editor run before batch photos (BullMQ: lower numbers first). */
export const priorities = { interactive: 1, batch: 10 } as const;
/** How long a batch's manifest, its finished jobs and its held photos are kept. */
export const batchKeepSeconds = 7 * 24 * 3600;
/** How many times a job is tried (a killed worker counts), before it is marked failed with the reason. */
export const maxAttempts = 3;

/**
 * The queue of the edits that need this SD1.5 model and ControlNet: a worker listens only on the queues of the
 * model pairs it has installed, so it never takes a job it cannot run.
 */
export function queueNameFor(sd: string, controlnet: string): string {
  return `iir-edit.${sd}.${controlnet}`;
}

const sha256Pattern = /^[0-9a-f]{64}$/;

/** One photo of a batch, as a job carries it. Validated again by the worker: the queue is not trusted. */
export const batchItemJobSchema = z
  .object({
    kind: z.literal('batch-item'),
    batchId: z.string().min(1).max(100),
    input: z.string().min(1).max(4096),
    /** SHA-256 of the input's bytes when submitted: a file changed since then is not edited. */
    inputSha256: z.string().regex(sha256Pattern),
    output: z.string().min(1).max(4096),
    region: z.string().min(1).max(500),
    boxThreshold: z.number().min(0).max(1),
    textThreshold: z.number().min(0).max(1),
    params: editParamsSchema,
  })
  .strict();
/** See {@link batchItemJobSchema}. */
export type BatchItemJob = z.infer<typeof batchItemJobSchema>;

/**
 * The job id: a hash of the recipe, the input's bytes and the output path (not of the batch), so submitting the
 * same work again finds the finished job instead of doing it twice.
 */
export function jobIdFor(job: BatchItemJob): string {
  const { batchId: _batch, ...work } = job;
  return createHash('sha256').update(JSON.stringify(work)).digest('hex');
}

/** What a batch's client stored, so it can be followed again after `--detach`. */
export const batchManifestSchema = z.object({
  batchId: z.string(),
  queue: z.string(),
  outDir: z.string(),
  jobs: z.array(z.object({ id: z.string(), input: z.string() })),
  createdAt: z.string(),
});
/** See {@link batchManifestSchema}. */
export type BatchManifest = z.infer<typeof batchManifestSchema>;

export const manifestKey = (batchId: string): string => `${keyPrefix}:batch:${batchId}`;
export const workerKey = (workerId: string): string => `${keyPrefix}:worker:${workerId}`;
/** The photos of a paused batch, taken off the queue until it is resumed. */
export const pausedKey = (batchId: string): string => `${keyPrefix}:paused:${batchId}`;
/** The channel on which a batch's pause and resume are announced to whoever follows it. */
export const batchChannel = `${keyPrefix}:batch-events`;
/** The queue of one worker only: the editor's jobs go to the fastest free worker that has their models. */
export const directQueueName = (workerId: string): string => `iir-direct.${workerId}`;
