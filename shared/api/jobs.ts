import { z } from 'zod';
import { apiErrorSchema } from './envelope';
import { imageIdSchema, jobIdSchema } from './ids';
import { sweepAxisSchema } from './sweep';

/** What a job does. */
export const jobKinds = ['edit', 'segment', 'sweep'] as const;
/** One of {@link jobKinds}. */
export type JobKind = (typeof jobKinds)[number];

/** The lifecycle of a job; the last three are terminal. */
export const jobStates = ['queued', 'running', 'completed', 'failed', 'cancelled'] as const;
/** One of {@link jobStates}. */
export type JobState = (typeof jobStates)[number];

/** The most step events a job emits per second; intermediate steps are dropped, the last step is always sent. */
export const maxStepEventsPerSecond = 10;

/** One selected object, its box in imagePx of the segmented image. */
export const segmentInstanceSchema = z.object({
  x0: z.number(),
  y0: z.number(),
  x1: z.number(),
  y1: z.number(),
  /** The phrase that found it, or null for a box or click. */
  phrase: z.string().nullable(),
  /** GroundingDINO's score, or null for a box or click. */
  score: z.number().nullable(),
});

/** What a completed job produced. */
export const jobResultSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('edit'),
    /** One result per variation, full resolution (imagePx), in seed order. */
    resultIds: z.array(imageIdSchema),
    /** The seeds used, one per result. */
    seeds: z.array(z.number().int()),
    /** The execution provider that actually ran the edit. */
    provider: z.string(),
    /** The remote worker that ran it (Devices → Remote workers); absent when this machine did. */
    worker: z.string().optional(),
  }),
  z.object({
    kind: z.literal('segment'),
    /** The union of the selected masks at the image's size (imagePx); all zero when nothing was found. */
    maskId: imageIdSchema,
    instances: z.array(segmentInstanceSchema),
    /** Why nothing was found (e.g. the best score was below the threshold), or null. */
    message: z.string().nullable(),
  }),
  z.object({
    kind: z.literal('sweep'),
    axes: z.array(sweepAxisSchema),
    /** The region's crop every tile shows (imagePx of the image). */
    crop: z.object({ x0: z.number(), y0: z.number(), x1: z.number(), y1: z.number() }),
    /** Row by row: each cell's full-resolution result, its crop as a tile, its seed and the values it varies. */
    cells: z.array(
      z.object({
        resultId: imageIdSchema,
        tileId: imageIdSchema,
        seed: z.number().int(),
        params: z.record(z.string(), z.union([z.number(), z.boolean(), z.string()])),
      }),
    ),
    provider: z.string(),
  }),
]);
/** See {@link jobResultSchema}. */
export type JobResult = z.infer<typeof jobResultSchema>;

const eventBase = { jobId: jobIdSchema, kind: z.enum(jobKinds) };

/**
 * How far a job has got, one shape from the engine to the screen: loading models, or step `i` of `n` (1-based) done
 * with an optional preview. The preview travels as what each hop can carry: pixels from the engine process, a lazy
 * maker in the job queue (stored only when an event goes out), an image id in {@link JobEvent} (`previewId`).
 */
export type JobProgress<Preview = never> =
  | { readonly type: 'loading' }
  | { readonly type: 'step'; readonly i: number; readonly n: number; readonly preview?: Preview };

/** The step fields of {@link JobProgress} as the `step` event carries them. */
const stepFields = { i: z.number().int().min(0), n: z.number().int().min(1) };

/**
 * One job event. Per job they arrive in this order: `queued` (again whenever its position changes), `loading`,
 * `step`…, then exactly one terminal event: `completed`, `failed` or `cancelled`.
 */
export const jobEventSchema = z.discriminatedUnion('type', [
  /** Waiting; `position` 1 is next. */
  z.object({ ...eventBase, type: z.literal('queued'), position: z.number().int().min(1) }),
  /** The engine is loading models for this job. */
  z.object({ ...eventBase, type: z.literal('loading') }),
  /** Step `i` of `n` (1-based) done; `previewId` is an approximate preview image when one was made. */
  z.object({ ...eventBase, type: z.literal('step'), ...stepFields, previewId: imageIdSchema.optional() }),
  z.object({ ...eventBase, type: z.literal('completed'), result: jobResultSchema }),
  z.object({ ...eventBase, type: z.literal('failed'), error: apiErrorSchema }),
  z.object({ ...eventBase, type: z.literal('cancelled') }),
]);
/** See {@link jobEventSchema}. */
export type JobEvent = z.infer<typeof jobEventSchema>;

/** True for the events that end a job. */
export function isTerminalJobEvent(event: JobEvent): boolean {
  return event.type === 'completed' || event.type === 'failed' || event.type === 'cancelled';
}

/** A job as `jobs:list` shows it. */
export const jobSummarySchema = z.object({
  jobId: jobIdSchema,
  kind: z.enum(jobKinds),
  state: z.enum(jobStates),
  /** Place in its device's queue (1 = next) while queued, else null. */
  position: z.number().int().min(1).nullable(),
  /** The device queue it runs in (the requested execution provider). */
  device: z.string(),
  /** The last step reached, while running. */
  step: z.object({ i: z.number().int(), n: z.number().int() }).nullable(),
});
/** See {@link jobSummarySchema}. */
export type JobSummary = z.infer<typeof jobSummarySchema>;
