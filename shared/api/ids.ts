import { z } from 'zod';

const idPattern = /^[a-z]{2,8}_[A-Za-z0-9-]{1,64}$/;

/** An image held by the main process (original, working, mask, IIR, Canny, control, preview or result). */
export const imageIdSchema = z.string().regex(idPattern, 'not an image id').brand<'ImageId'>();
/** Branded id of an image in the main-process image store; its PNG is `app://iir-studio/image/<id>` or `/image/<id>`. */
export type ImageId = z.infer<typeof imageIdSchema>;

/** A job in the engine queue (an edit or a segmentation). */
export const jobIdSchema = z.string().regex(idPattern, 'not a job id').brand<'JobId'>();
/** Branded id of a queued, running or finished job. */
export type JobId = z.infer<typeof jobIdSchema>;

/** A model id as the catalog and the models folder name it (`sd15-fp16`, `controlnet-canny`, …), unbranded. */
export const modelIdTextSchema = z
  .string()
  .regex(/^[a-z0-9][a-z0-9._-]{0,127}$/, 'a model id is lower-case letters, digits, dot, dash or underscore')
  .refine((id) => !id.includes('..'), 'a model id may not contain ".."');
/** {@link modelIdTextSchema}, branded. */
export const modelIdSchema = modelIdTextSchema.brand<'ModelId'>();
/** Branded model id. */
export type ModelId = z.infer<typeof modelIdSchema>;
