/** From detections to SAM prompts, and from instance masks to the request's one post-processed mask. */

import { invalidArgument } from '../../../shared/errors';
import { dilateMask, dropIslands, fillHoles, maskBoundingBox, unionMasks } from '../../../shared/image/mask';
import { createMask, type Mask, type Rect } from '../../../shared/image/types';
import type { Detection } from './boxes';
import type { PhraseDetections } from './grounding';
import type { PromptPoint } from './points';
import type { MaskPostprocess, SegmentInstance, SegmentResult } from './request';
import type { SamPrompt } from './sam';

export interface PlannedPrompt {
  readonly sam: SamPrompt;
  readonly boxImagePx: Rect | undefined;
  readonly phrase: string | null;
  readonly score: number | null;
}

/** One SAM prompt per detected box and one for the user's box; the user's points go with each. */
export function buildPrompts(
  detections: readonly Detection[],
  boxImagePx: Rect | undefined,
  points: readonly PromptPoint[],
): PlannedPrompt[] {
  const prompts: PlannedPrompt[] = detections.map((d) => ({
    sam: { points, boxImagePx: d.boxImagePx },
    boxImagePx: d.boxImagePx,
    phrase: d.phrase,
    score: d.score,
  }));
  if (boxImagePx) prompts.push({ sam: { points, boxImagePx }, boxImagePx, phrase: null, score: null });
  if (detections.length === 0 && !boxImagePx && points.some((p) => p.isPositive)) {
    prompts.push({ sam: { points }, boxImagePx: undefined, phrase: null, score: null });
  }
  return prompts;
}

/**
 * The mask of a chosen subset of a result's instances (the UI's pick / merge / exclude), post-processed like a
 * request's union. Indices refer to `result.instances`; an empty choice gives an empty mask.
 */
export function combineInstances(
  result: Pick<SegmentResult, 'instances' | 'mask'>,
  indices: readonly number[],
  options: MaskPostprocess = {},
): Mask {
  const chosen = indices.map((i) => {
    const instance = result.instances[i];
    if (!instance) throw invalidArgument(`no instance ${i}: the result has ${result.instances.length}`);
    return instance;
  });
  return postprocess(unionOf(chosen, result.mask.width, result.mask.height), options);
}

export function unionOf(instances: readonly SegmentInstance[], width: number, height: number): Mask {
  const [first, ...rest] = instances;
  if (!first) return createMask(width, height);
  // One instance (a click) is its own union: no 12 MP copy on the interactive path.
  let union = first.mask;
  for (const instance of rest) union = unionMasks(union, instance.mask);
  return union;
}

export function postprocess(mask: Mask, options: MaskPostprocess): Mask {
  let out = mask;
  if (options.fillHoles) out = fillHoles(out);
  if (options.minIslandPx !== undefined && options.minIslandPx > 0) out = dropIslands(out, options.minIslandPx);
  if (options.dilatePx !== undefined && options.dilatePx > 0) out = dilateMask(out, options.dilatePx);
  return out;
}

export function maskBounds(mask: Mask): Rect {
  return maskBoundingBox(mask) ?? { x0: 0, y0: 0, x1: 0, y1: 0 };
}

export function nothingFoundMessage(
  regionText: string,
  perPhrase: readonly PhraseDetections[],
  boxThreshold: number,
  textThreshold: number,
): string {
  const best = Math.max(...perPhrase.map((p) => p.bestScore));
  const what = `no region found for "${regionText.trim()}"`;
  if (best <= boxThreshold) return `${what} (best score ${best.toFixed(2)} < ${boxThreshold})`;
  return `${what} (best score ${best.toFixed(2)}, but no word of the phrase scored above the text threshold ${textThreshold})`;
}
