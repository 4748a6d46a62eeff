import { z } from 'zod';
import { roiSchema } from './edit';
import { imageIdSchema } from './ids';

/**
 * `metrics:compare`: how a result differs from the image it was made from, for the compare bar. PSNR and LPIPS are
 * measured outside `roi` (PIE-Bench style: both images black inside it), the CLIP score of `prompt` on a crop of
 * the region. Runs in an engine process, never in main's event loop.
 */
export const compareMetricsRequestSchema = z
  .object({
    originalId: imageIdSchema,
    resultId: imageIdSchema,
    roi: roiSchema,
    prompt: z.string().max(2000).optional(),
  })
  .strict();

/** The compare bar's metrics. `psnr` is null with `psnrInfinite` when nothing changed outside the region. */
export const compareMetricsSchema = z.object({
  psnr: z.number().nullable(),
  psnrInfinite: z.boolean(),
  /** Null when no LPIPS model is installed (or nothing is outside the region). */
  lpips: z.number().nullable(),
  /** CLIP score (0–100) of the prompt with the region's crop; null without a CLIP model, a prompt or a region. */
  clipRegion: z.number().nullable(),
  /** One line saying which models to install for the missing metrics, or null. */
  note: z.string().nullable(),
});
export type CompareMetrics = z.infer<typeof compareMetricsSchema>;
