/**
 * Text-grounded region of interest (Grounded-SAM) for the rest of the engine: `segmentRegion` runs on one
 * process-wide {@link SegmentationEngine}, so models load once and SAM embeddings are shared between callers.
 */
import type { RgbImage } from '../../../shared/image/types';
import type { SegmentationModels, SegmentRequest, SegmentResult } from './request';
import { SegmentationEngine } from './segment';

export { parseBox } from './boxes';
export { parsePoint, type PromptPoint } from './points';
export { combineInstances } from './instances';
export {
  defaultBoxThreshold,
  defaultTextThreshold,
  type MaskPostprocess,
  type SegmentationModels,
  type SegmentInstance,
  type SegmentRequest,
  type SegmentResult,
  type SegmentTimings,
} from './request';
export { SegmentationEngine } from './segment';

let shared: SegmentationEngine | undefined;

/**
 * Segments `image` (decoded pixels, EXIF orientation applied) from text, a box and/or points, e.g.
 * `segmentRegion(rgb, { groundingDir, samDir }, { regionText: 'cat', postprocess: { dilatePx: 8 } })`.
 * Returns a full-resolution mask (all zero with `message` set when the text found nothing).
 */
export function segmentRegion(
  image: RgbImage,
  models: SegmentationModels,
  request: SegmentRequest,
): Promise<SegmentResult> {
  shared ??= new SegmentationEngine();
  return shared.segment(image, models, request);
}

/** Releases the shared engine's models and cached embeddings (engine shutdown, tests). */
export async function disposeSegmentation(): Promise<void> {
  const engine = shared;
  shared = undefined;
  await engine?.dispose();
}
