import { z } from 'zod';
import { editParamShape } from './editParamSchema';
import { imageIdSchema, modelIdSchema } from './ids';
import { providerChoices } from './providers';

/**
 * `edit:plan`: the memory plan of an edit of a document with these models, working size and provider, before
 * Generate; with `warm`, the engine also starts loading those models in the background (cancelled by the next plan
 * asked to warm, or by an edit that needs other sessions).
 */
export const editPlanRequestSchema = z
  .object({
    imageId: imageIdSchema,
    sd: modelIdSchema.optional(),
    controlnet: modelIdSchema.optional(),
    size: editParamShape.size,
    guidance: editParamShape.guidance,
    provider: z.enum(providerChoices).default('auto'),
    warm: z.boolean().default(false),
  })
  .strict();

/** Whether low-memory settings are on: not, because the user turned them on, or because the machine is short. */
export const lowMemoryReasons = ['off', 'chosen', 'auto'] as const;

const bytes = z.number().nonnegative();

/** `edit:plan`'s answer: the figures the Devices and Generate panels show. */
export const editPlanSchema = z.object({
  /** The working frame of the whole photo at the chosen size, pixels. */
  width: z.number().int().positive(),
  height: z.number().int().positive(),
  /** The device queue the edit runs in (`auto` resolved by the last pre-flight). */
  device: z.string(),
  /** The edit's expected peak with the chosen settings, bytes. */
  expectedPeak: bytes,
  /** What the default settings would need (their levers on a machine with room), bytes. */
  defaultPeak: bytes,
  /** The budget the settings were planned for, bytes. */
  budget: bytes,
  /** The machine's memory, and what it can give an edit now (free plus what the engine could release), bytes. */
  totalMemory: bytes,
  availableMemory: bytes,
  lowMemory: z.enum(lowMemoryReasons),
  /** Each stage's models loaded and released in turn (one stage's weights in memory). */
  stageByStage: z.boolean(),
  /** A background warm-up of these models was started. */
  warming: z.boolean(),
});
/** See {@link editPlanSchema}. */
export type EditPlan = z.infer<typeof editPlanSchema>;
