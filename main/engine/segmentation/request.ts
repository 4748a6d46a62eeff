/** What a segmentation request asks and what it answers, with the request's checks and defaults. */

import { invalidArgument, type CancelSignal } from '../../../shared/errors';
import type { Mask, Rect } from '../../../shared/image/types';
import type { ProviderDecision, ProviderSettings } from '../providers';
import { validateBox } from './boxes';
import { validatePoint, type PromptPoint } from './points';

/** GroundingDINO's defaults. */
export const defaultBoxThreshold = 0.35;
export const defaultTextThreshold = 0.25;
/** Boxes of different phrases overlapping more than this are one object (class-agnostic NMS). */
export const nmsIouThreshold = 0.8;
/** Default memory budget of cached SAM image embeddings (SAM ViT-B/SlimSAM: 8 MB per image). */
export const defaultEmbeddingCacheBytes = 256 * 1024 * 1024;

/** Which model folders to use (absolute paths in the transformers.js layout) and on which providers. */
export interface SegmentationModels {
  readonly samDir: string;
  /** Needed only for a text region. */
  readonly groundingDir?: string;
  readonly providers?: ProviderSettings;
}

/** Clean-up applied to the union mask, in this order: fill holes, drop small islands, dilate. */
export interface MaskPostprocess {
  readonly fillHoles?: boolean;
  /** Remove connected regions smaller than this many pixels. */
  readonly minIslandPx?: number;
  /** Grow the mask by this many pixels. */
  readonly dilatePx?: number;
}

/** What to select: text, a box, points, or several of them (all in original-image pixels). */
export interface SegmentRequest {
  readonly regionText?: string;
  readonly boxImagePx?: Rect;
  readonly points?: readonly PromptPoint[];
  readonly boxThreshold?: number;
  readonly textThreshold?: number;
  readonly postprocess?: MaskPostprocess;
  /**
   * Identifies the image for the embedding cache (e.g. a document id + revision). Without it the cache keys on the
   * `RgbImage` object itself, so pass the same object for every click.
   */
  readonly imageKey?: string;
  readonly signal?: CancelSignal;
}

/** One selected object: its prompt box, what found it, and its own full-resolution mask. */
export interface SegmentInstance {
  readonly boxImagePx: Rect;
  /** The phrase that found it, or null for a box/point prompt. */
  readonly phrase: string | null;
  /** GroundingDINO's score, or null for a box/point prompt. */
  readonly score: number | null;
  /** SAM's predicted IoU of the chosen mask. */
  readonly predictedIou: number;
  readonly areaPx: number;
  readonly mask: Mask;
}

/** Where the time went, in milliseconds. */
export interface SegmentTimings {
  /** Loading models (first use of a folder on a provider only). */
  readonly loadMs: number;
  /** GroundingDINO: image pre-processing and one pass per phrase. */
  readonly groundingMs: number;
  /** Image embedding (0-ish when cached). */
  readonly encoderMs: number;
  readonly isEmbeddingCached: boolean;
  /** Inside the SAM decoder session, summed over prompts. */
  readonly decoderMs: number;
  /** Logits → full-resolution masks, summed over prompts. */
  readonly upsampleMs: number;
  readonly postprocessMs: number;
  readonly totalMs: number;
  /** Everything else: total minus loading, grounding, encoder and decoder (time outside ONNX Runtime for a click). */
  readonly overheadMs: number;
}

/** Providers used per role, with the reasons others were passed over. */
export interface SegmentProviders {
  readonly grounding?: ProviderDecision;
  readonly samEncoder: ProviderDecision;
  readonly samDecoder: ProviderDecision;
}

export interface SegmentResult {
  /** Union of the instances, post-processed; all zero when nothing was found. */
  readonly mask: Mask;
  readonly instances: readonly SegmentInstance[];
  /** Set when the text found nothing, e.g. `no region found for "cat" (best score 0.12 < 0.35)`. */
  readonly message: string | null;
  /** The best GroundingDINO box score over every phrase (found or not); null when no text was given. */
  readonly bestScore: number | null;
  readonly timings: SegmentTimings;
  readonly providers: SegmentProviders;
}

/** Throws a one-line `IirError` for a request that cannot run: nothing to find, bad thresholds, boxes, points or clean-up. */
export function validateRequest(
  request: SegmentRequest,
  width: number,
  height: number,
  boxThreshold: number,
  textThreshold: number,
): void {
  const points = request.points ?? [];
  if (request.regionText === undefined && !request.boxImagePx && points.length === 0) {
    throw invalidArgument('nothing to segment: give a region text, a box or points');
  }
  if (request.regionText === undefined && !request.boxImagePx && !points.some((p) => p.isPositive)) {
    throw invalidArgument('only exclude points were given: add an include point (x,y,1), a box or a region text');
  }
  for (const [name, value] of [
    ['box threshold', boxThreshold],
    ['text threshold', textThreshold],
  ] as const) {
    if (!Number.isFinite(value) || value < 0 || value >= 1) {
      throw invalidArgument(`${name} must be a number from 0 to below 1, not ${value}`);
    }
  }
  if (request.boxImagePx) validateBox(request.boxImagePx, width, height);
  for (const point of points) validatePoint(point, width, height);
  const post = request.postprocess ?? {};
  for (const [name, value] of [
    ['dilate', post.dilatePx],
    ['minimum island size', post.minIslandPx],
  ] as const) {
    if (value !== undefined && !(Number.isInteger(value) && value >= 0)) {
      throw invalidArgument(`${name} must be a whole number of pixels ≥ 0, not ${value}`);
    }
  }
}
