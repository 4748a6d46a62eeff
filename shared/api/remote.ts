import { z } from 'zod';
import { editParamsSchema } from './edit';
import { imageIdSchema } from './ids';
import { openImageRequestSchema } from './images';

/** `remote:connect`: a queue address; main checks it (and its password) and never answers it back with the password. */
export const remoteConnectRequestSchema = z
  .object({
    url: z
      .string()
      .max(2000)
      .regex(/^rediss?:\/\/[^\s]+$/, 'the queue address must look like redis://[user:password@]host:port[/db]'),
    /** The password, typed apart from the address (when main asks for it again); it replaces one in `url`. */
    password: z.string().min(1).max(1000).optional(),
  })
  .strict();

/** A live remote worker, as its heartbeat says. */
export const remoteWorkerSchema = z.object({
  id: z.string(),
  host: z.string(),
  provider: z.string(),
  device: z.object({ name: z.string(), memoryBytes: z.number().nullable() }),
  /** CPU threads its engine may use (`iir worker --threads`), or null: every core. */
  threads: z.number().int().positive().nullable(),
  models: z.array(z.string()),
  /** The job it is running, or null when free. */
  current: z.string().nullable(),
  done: z.number(),
  failed: z.number(),
  perMinute: z.number().nullable(),
  msPerJob: z.number().nullable(),
});
/** See {@link remoteWorkerSchema}. */
export type RemoteWorker = z.infer<typeof remoteWorkerSchema>;

/**
 * A remembered queue the editor is not connected to yet (edits run on this machine meanwhile): `connecting` at start,
 * `unreachable` while main retries with backoff, `password` when main needs the password typed again (it was not
 * kept, or the queue refused it). `message` is one human line; `queue` the address's display form.
 */
export const remotePendingSchema = z.object({
  queue: z.string(),
  reason: z.enum(['connecting', 'unreachable', 'password']),
  message: z.string(),
});
/** See {@link remotePendingSchema}. */
export type RemotePending = z.infer<typeof remotePendingSchema>;

/**
 * The queue the editor's edits run on (`redis://host:port/db`, never the password), or null: this machine; and a
 * remembered queue that is not connected yet, or null.
 */
export const remoteStateSchema = z.object({
  queue: z.string().nullable(),
  workers: z.array(remoteWorkerSchema),
  pending: remotePendingSchema.nullable().default(null),
});
/** See {@link remoteStateSchema}. */
export type RemoteState = z.infer<typeof remoteStateSchema>;

/**
 * `batch:start`: the same region text and edit over `count` photos (through the engine, or on remote workers). Main
 * asks for each photo when its turn comes (its item turns `opening`); the client answers with `batch:supply`.
 */
export const batchStartRequestSchema = z
  .object({
    count: z.number().int().min(1).max(1000),
    region: z.string().min(1).max(500),
    boxThreshold: z.number().min(0).max(1).default(0.35),
    textThreshold: z.number().min(0).max(1).default(0.25),
    params: editParamsSchema,
  })
  .strict();

export const batchIdSchema = z.string().regex(/^batch_[0-9a-f-]{36}$/);
export const batchRefSchema = z.object({ batchId: batchIdSchema }).strict();
/** One photo of a sheet batch. */
export const batchItemRefSchema = z.object({ batchId: batchIdSchema, index: z.number().int().min(0) }).strict();

/** `batch:supply`: the photo an `opening` item asked for (opened as `images:open` opens), or why it cannot be read. */
export const batchSupplyRequestSchema = z.union([
  batchItemRefSchema.extend({ image: openImageRequestSchema }).strict(),
  batchItemRefSchema.extend({ unreadable: z.string().min(1).max(500) }).strict(),
]);

/** `batch:open`: a finished photo reopened from where the batch keeps it (its original, found region and result). */
export const batchOpenedSchema = z.object({
  imageId: imageIdSchema,
  maskId: imageIdSchema.nullable(),
  resultId: imageIdSchema.nullable(),
});

/** Where one photo of a sheet batch is. */
export const batchItemStates = [
  'waiting',
  'opening',
  'finding',
  'editing',
  'edited',
  'not_found',
  'failed',
  'cancelled',
] as const;
/** Where a sheet batch is. */
export const batchStates = ['running', 'paused', 'done', 'cancelled'] as const;

/** A sheet batch's progress: one photo changed, or the batch as a whole. */
export const batchEventSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('item'),
    batchId: batchIdSchema,
    index: z.number().int().min(0),
    /** The photo while main holds it (`opening` to the end of its edit), else null. */
    imageId: imageIdSchema.nullable(),
    state: z.enum(batchItemStates),
    /** A small picture of the photo (of its result once edited), kept after the photo itself is let go. */
    thumbId: imageIdSchema.nullable(),
    /** The region found while the photo is held (reopen a finished one with `batch:open`). */
    maskId: imageIdSchema.nullable(),
    resultId: imageIdSchema.nullable(),
    /** The remote worker that edited it, or null on this machine. */
    worker: z.string().nullable(),
    /** The provider its edit ran on (cpu, cuda, …), once edited. */
    provider: z.string().nullable(),
    /** Step `i` of `n` while editing. */
    step: z.object({ i: z.number().int(), n: z.number().int() }).nullable(),
    message: z.string().nullable(),
  }),
  z.object({
    type: z.literal('batch'),
    batchId: batchIdSchema,
    state: z.enum(batchStates),
    done: z.number().int(),
    total: z.number().int(),
  }),
]);
/** See {@link batchEventSchema}. */
export type BatchEvent = z.infer<typeof batchEventSchema>;

/** An item the batch has not reached yet: how every photo of a sheet batch starts, on both sides of the bridge. */
export const waitingBatchItem = {
  state: 'waiting',
  imageId: null,
  thumbId: null,
  maskId: null,
  resultId: null,
  worker: null,
  provider: null,
  step: null,
  message: null,
} as const satisfies Partial<Extract<BatchEvent, { type: 'item' }>>;
