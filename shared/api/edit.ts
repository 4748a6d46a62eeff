import { z } from 'zod';
import { imageIdSchema, modelIdSchema } from './ids';
import { maskPixelsSchema } from './images';

/** The schedulers the engine implements. */
export const schedulers = ['ddim', 'euler', 'euler-a', 'dpmpp-2m', 'lcm'] as const;
/** Execution providers a user can ask for; `auto` picks by pre-flight. */
export const providerChoices = ['auto', 'cpu', 'webgpu', 'cuda', 'dml', 'coreml'] as const;
/** One of {@link providerChoices}. */
export type ProviderChoice = (typeof providerChoices)[number];
/** The models (graphs) of an edit or a search, each of which the user can pin to a provider. */
export const providerRoles = [
  'text_encoder',
  'unet',
  'controlnet',
  'vae_encoder',
  'vae_decoder',
  'grounding',
  'sam_encoder',
  'sam_decoder',
] as const;
/** One of {@link providerRoles}. */
export type ProviderRole = (typeof providerRoles)[number];
/** Per-role provider pins, over the default provider (`auto` or absent: the default applies). */
export const providerPerRoleSchema = z.partialRecord(z.enum(providerRoles), z.enum(providerChoices));
/** See {@link providerPerRoleSchema}. */
export type ProviderPerRole = z.infer<typeof providerPerRoleSchema>;

/** The RoI of an edit: a stored mask image, or mask pixels painted in the renderer (0 outside, 255 inside). */
export const roiSchema = z.union([
  z.object({ maskId: imageIdSchema }).strict(),
  z.object({ mask: maskPixelsSchema }).strict(),
]);

/** The parameters of one IIR edit (architecture.md §3); defaults follow the paper's setting. */
export const editParamsSchema = z
  .object({
    prompt: z.string().min(1, 'a prompt is required').max(2000),
    negativePrompt: z.string().max(2000).default(''),
    /** Texture removal: σ of the Gaussian noise in [0,1] units inside the RoI. */
    noise: z.number().min(0).max(1).default(0.5),
    /** Colour removal (gray inside the RoI). */
    gray: z.boolean().default(true),
    /** Where the noise goes: inside the RoI (the paper's setting) or over the whole image (scene / style edits). */
    noiseScope: z.enum(['roi', 'image']).default('roi'),
    /** Canny hysteresis thresholds of the edge map the ControlNet sees (OpenCV's `Canny(gray, low, high)`). */
    cannyLow: z.number().min(0).max(2040).default(100),
    cannyHigh: z.number().min(0).max(2040).default(200),
    /** img2img strength; the engine's default when omitted (1 trained, 0.75 training-free). */
    strength: z.number().min(0).max(1).optional(),
    steps: z.number().int().min(1).max(150).default(20),
    guidance: z.number().min(1).max(30).default(7.5),
    controlScale: z.number().min(0).max(2).default(1),
    controlStart: z.number().min(0).max(1).default(0),
    controlEnd: z.number().min(0).max(1).default(1),
    scheduler: z.enum(schedulers).default('ddim'),
    seed: z.number().int().min(0).max(0xffffffff).default(0),
    variations: z.number().int().min(1).max(8).default(1),
    /** Short side of the working frame in workingPx, a multiple of 64. */
    size: z.number().int().min(512).max(768).multipleOf(64).default(512),
    focus: z.boolean().default(false),
    /** Feather of the composite in imagePx; the engine's default when omitted. */
    featherPx: z.number().int().min(0).max(256).optional(),
    /** Growth of the RoI before compositing, in imagePx; the engine's default when omitted. */
    dilatePx: z.number().int().min(0).max(256).optional(),
    sd: modelIdSchema.optional(),
    controlnet: modelIdSchema.optional(),
    provider: z.enum(providerChoices).default('auto'),
    lowMemory: z.boolean().default(false),
  })
  .strict()
  .refine((p) => p.controlStart <= p.controlEnd, 'controlStart must not exceed controlEnd')
  .refine((p) => p.cannyLow <= p.cannyHigh, 'cannyLow must not exceed cannyHigh');
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
  })
  .strict()
  .refine(
    (r) => r.text !== undefined || r.boxImagePx !== undefined || r.points.length > 0,
    'say what to select: text, a box or points',
  );
