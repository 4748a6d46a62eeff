import { z } from 'zod';
import { imageIdSchema, modelIdSchema } from './ids';
import { editParamRules, editParamShape } from './editParamSchema';
import { maskPixelsSchema } from './images';
import { providerChoices } from './providers';

/** The schedulers the engine implements. */
export { schedulerNames } from '../engine/schedulers/types';
export * from './editParams';
export * from './editParamSchema';
export * from './providers';

/** The RoI of an edit: a stored mask image, or mask pixels painted in the renderer (0 outside, 255 inside). */
export const roiSchema = z.union([
  z.object({ maskId: imageIdSchema }).strict(),
  z.object({ mask: maskPixelsSchema }).strict(),
]);

/** The parameters of one IIR edit: the prompts, the models, and the declared {@link editParams}. */
export const editParamsSchema = z
  .object({
    prompt: z.string().min(1, 'a prompt is required').max(2000),
    negativePrompt: z.string().max(2000).default(''),
    sd: modelIdSchema.optional(),
    controlnet: modelIdSchema.optional(),
    ...editParamShape,
  })
  .strict()
  .superRefine((p, context) => {
    for (const rule of editParamRules) {
      if (!rule.holds(p)) context.addIssue({ code: 'custom', message: rule.message, path: [...rule.keys] });
    }
  });
/** See {@link editParamsSchema} (after defaults). */
export type EditParams = z.infer<typeof editParamsSchema>;

/** `edit:start`: the image, its RoI and the parameters. */
export const editStartRequestSchema = z
  .object({ imageId: imageIdSchema, roi: roiSchema, params: editParamsSchema })
  .strict();

/** A rectangle in imagePx of the segmented image (x1, y1 exclusive). */
export const rectImagePxSchema = z
  .object({ x0: z.number(), y0: z.number(), x1: z.number(), y1: z.number() })
  .strict()
  .refine((r) => r.x1 > r.x0 && r.y1 > r.y0, 'the box is empty');

/**
 * `segment:start`: select a region by text (GroundingDINO boxes → SAM masks), by a box, by clicks, or several at once
 * (all in imagePx of the image).
 */
export const segmentStartRequestSchema = z
  .object({
    imageId: imageIdSchema,
    text: z.string().min(1).max(500).optional(),
    boxImagePx: rectImagePxSchema.optional(),
    points: z
      .array(z.object({ xImagePx: z.number(), yImagePx: z.number(), isPositive: z.boolean() }).strict())
      .max(64)
      .default([]),
    boxThreshold: z.number().min(0).max(1).default(0.35),
    textThreshold: z.number().min(0).max(1).default(0.25),
    provider: z.enum(providerChoices).default('auto'),
    /** The installed GroundingDINO and SAM to use (default: the first installed of each). */
    grounding: modelIdSchema.optional(),
    sam: modelIdSchema.optional(),
  })
  .strict()
  .refine(
    (r) => r.text !== undefined || r.boxImagePx !== undefined || r.points.length > 0,
    'say what to select: text, a box or points',
  );
