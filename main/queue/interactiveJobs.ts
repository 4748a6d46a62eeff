import { z } from 'zod';
import { editParamsSchema, rectImagePxSchema } from '../../shared/api';
import { keyPrefix } from './jobs';

/** The most bytes an interactive job carries inline (its photo, or its mask). */
export const inlineLimitBytes = 32 * 1024 * 1024;
/** How long inline bytes stay in Redis: long enough for a busy queue, short enough not to fill it. */
export const inlineTtlSeconds = 3600;
/** How long a finished interactive job's result stays in Redis for its client to take. */
export const resultTtlSeconds = 600;

const sha256Schema = z.string().regex(/^[0-9a-f]{64}$/);

/** Inline bytes in Redis, named by their SHA-256 (the same photo sent twice is stored once). */
export const inlineRefSchema = z
  .object({ sha256: sha256Schema, size: z.number().int().min(1).max(inlineLimitBytes) })
  .strict();
/** See {@link inlineRefSchema}. */
export type InlineRef = z.infer<typeof inlineRefSchema>;

export const inlineKey = (sha256: string): string => `${keyPrefix}:inline:${sha256}`;
export const resultKey = (jobId: string): string => `${keyPrefix}:result:${jobId}`;

const imageFields = {
  /** The photo's file bytes. */
  image: inlineRefSchema,
  /** Its name, for messages. */
  name: z.string().min(1).max(255),
};

/** An edit from the editor (or serve mode): the photo's bytes and its mask inline, the same parameters. */
export const remoteEditJobSchema = z
  .object({
    kind: z.literal('edit'),
    ...imageFields,
    mask: z
      .object({
        width: z.number().int().positive().max(16384),
        height: z.number().int().positive().max(16384),
        bytes: inlineRefSchema,
      })
      .strict()
      .refine((m) => m.bytes.size === m.width * m.height, 'the mask must hold width × height bytes'),
    params: editParamsSchema,
  })
  .strict();

/** A region search from the editor: text, a box and/or clicks over the photo's bytes. */
export const remoteSegmentJobSchema = z
  .object({
    kind: z.literal('segment'),
    ...imageFields,
    text: z.string().min(1).max(500).optional(),
    boxImagePx: rectImagePxSchema.optional(),
    points: z.array(z.object({ xImagePx: z.number(), yImagePx: z.number(), isPositive: z.boolean() }).strict()).max(64),
    boxThreshold: z.number().min(0).max(1),
    textThreshold: z.number().min(0).max(1),
  })
  .strict();

/** Either interactive job, validated again by the worker (the queue is not trusted). */
export const remoteJobSchema = z.discriminatedUnion('kind', [remoteEditJobSchema, remoteSegmentJobSchema]);
/** See {@link remoteJobSchema}. */
export type RemoteJob = z.infer<typeof remoteJobSchema>;
export type RemoteEditJob = z.infer<typeof remoteEditJobSchema>;
export type RemoteSegmentJob = z.infer<typeof remoteSegmentJobSchema>;

/** What a finished interactive job returns through the queue: where its result's bytes are, and who made it. */
export const remoteReturnSchema = z
  .object({ kind: z.enum(['edit', 'segment']), resultKey: z.string(), worker: z.string(), ms: z.number() })
  .strict();
/** See {@link remoteReturnSchema}. */
export type RemoteReturn = z.infer<typeof remoteReturnSchema>;

/** A progress report of an interactive job: step `i` of `n`, with a small JPEG preview now and then. */
export const remoteProgressSchema = z.union([
  z.object({ type: z.literal('loading') }).strict(),
  z
    .object({
      type: z.literal('step'),
      i: z.number().int().min(0),
      n: z.number().int().min(1),
      preview: z.string().max(2_000_000).optional(),
    })
    .strict(),
]);
/** See {@link remoteProgressSchema}. */
export type RemoteProgress = z.infer<typeof remoteProgressSchema>;
