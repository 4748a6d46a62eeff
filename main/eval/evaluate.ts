/**
 * One evaluation: the pixel metrics outside the benchmark's mask and outside our composite's region, and — when the
 * models are installed — LPIPS outside both, CLIP similarity of the prompt with the whole edited image, with the
 * edited part (PIE-Bench: the image black outside the mask) and with a crop of the region, and the structure
 * distance of the two whole images.
 */
import { maskBoundingBox } from '../../shared/image/mask';
import type { Mask, RgbImage } from '../../shared/image/types';
import { invalidArgument, throwIfCancelled, type CancelSignal } from '../../shared/errors';
import { compositeRegion, hardRegion, type CompositeGrowth } from './masks';
import { metricRoles, type MetricRole } from './models/locate';
import type { MetricModels, StructureFeatures } from './models/metricModels';
import { cropRgb, keepRegion } from './models/pixels';
import { keepWeights, psnrMse, ssim } from './pixels';

/** The metrics of the part outside one region. `psnr` is null with `psnrInfinite` when nothing differs there. */
export interface RegionMetrics {
  /** Pixels inside the region (not measured). */
  readonly regionPx: number;
  /** Pixels outside it (measured). */
  readonly measuredPx: number;
  readonly psnr: number | null;
  readonly psnrInfinite: boolean;
  readonly mse: number | null;
  readonly ssim: number | null;
  /** Null when no LPIPS model is installed, or nothing is outside the region. */
  readonly lpips: number | null;
}

/** CLIP scores (0–100) of the prompt with the edited image. */
export interface ClipScores {
  readonly whole: number;
  /** PIE-Bench's "edited part": the image black outside the mask; null when the mask is empty. */
  readonly edited: number | null;
  /** The crop of the mask's bounding box; null when the mask is empty. */
  readonly region: number | null;
}

export interface EvalMetrics {
  readonly width: number;
  readonly height: number;
  /** Outside the benchmark's (or the edit's) mask. */
  readonly mask: RegionMetrics;
  /** Outside the mask grown as our composite grows it. */
  readonly dilated: RegionMetrics & CompositeGrowth;
  readonly clip: ClipScores | null;
  readonly structureDistance: number | null;
  readonly structureFeatures: StructureFeatures | null;
  /** Metric roles whose model is missing. */
  readonly missing: readonly MetricRole[];
}

export interface EvalInputs {
  readonly original: RgbImage;
  readonly edited: RgbImage;
  /** ≥ 128 = the edited region. */
  readonly mask: Mask;
  readonly prompt?: string;
  readonly growth: CompositeGrowth;
}

function checkSizes({ original, edited, mask }: EvalInputs): void {
  if (original.width !== edited.width || original.height !== edited.height) {
    throw invalidArgument(
      `the edited image is ${edited.width}×${edited.height} but the original is ${original.width}×${original.height}`,
    );
  }
  if (mask.width !== original.width || mask.height !== original.height) {
    throw invalidArgument(
      `the mask is ${mask.width}×${mask.height} but the images are ${original.width}×${original.height}`,
    );
  }
}

async function regionMetrics(
  inputs: EvalInputs,
  region: Mask,
  models: MetricModels | null,
  signal?: CancelSignal,
): Promise<RegionMetrics> {
  const keep = keepWeights(region);
  let measuredPx = 0;
  for (const k of keep) measuredPx += k;
  const regionPx = keep.length - measuredPx;
  if (measuredPx === 0) {
    return { regionPx, measuredPx, psnr: null, psnrInfinite: false, mse: null, ssim: null, lpips: null };
  }
  const { mse, psnr } = psnrMse(inputs.original, inputs.edited, keep);
  throwIfCancelled(signal);
  const structural = ssim(inputs.original, inputs.edited, keep);
  throwIfCancelled(signal);
  const lpips = models?.has('lpips') ? await models.lpips(inputs.original, inputs.edited, keep) : null;
  const isInfinite = psnr === Number.POSITIVE_INFINITY;
  return {
    regionPx,
    measuredPx,
    psnr: isInfinite ? null : psnr,
    psnrInfinite: isInfinite,
    mse,
    ssim: structural,
    lpips,
  };
}

async function clipScores(inputs: EvalInputs, region: Mask, models: MetricModels): Promise<ClipScores | null> {
  if (inputs.prompt === undefined || !models.has('clip')) return null;
  const text = await models.textEmbeds(inputs.prompt);
  const whole = await models.clipScore(inputs.edited, text);
  const box = maskBoundingBox(region, 128);
  if (!box) return { whole, edited: null, region: null };
  const edited = await models.clipScore(keepRegion(inputs.edited, region), text);
  return { whole, edited, region: await models.clipScore(cropRgb(inputs.edited, box), text) };
}

/** Every metric of one original / edited / mask triple. */
export async function evaluatePair(
  inputs: EvalInputs,
  models: MetricModels | null,
  signal?: CancelSignal,
): Promise<EvalMetrics> {
  checkSizes(inputs);
  const region = hardRegion(inputs.mask);
  const mask = await regionMetrics(inputs, region, models, signal);
  const grown = compositeRegion(inputs.mask, inputs.growth);
  const dilated = { ...(await regionMetrics(inputs, grown, models, signal)), ...inputs.growth };
  throwIfCancelled(signal);
  const clip = models ? await clipScores(inputs, region, models) : null;
  const structure = models?.has('dino') ? await models.structureDistance(inputs.original, inputs.edited) : null;
  return {
    width: inputs.original.width,
    height: inputs.original.height,
    mask,
    dilated,
    clip,
    structureDistance: structure?.distance ?? null,
    structureFeatures: structure?.features ?? null,
    missing: metricRoles.filter((role) => !models?.has(role)),
  };
}
