import type { JobResult } from '../../../shared/api';
import type { Rect } from '../../../shared/image/types';

/** A detected object and whether it is part of the RoI. */
export interface RoiInstance {
  readonly boxImagePx: Rect;
  readonly phrase: string | null;
  readonly score: number | null;
  readonly isPicked: boolean;
}

/** A click for SAM, in imagePx. */
export interface RoiClick {
  readonly xImagePx: number;
  readonly yImagePx: number;
  readonly isPositive: boolean;
}

/** How a segmentation's mask joins the painted RoI. */
export type RoiMerge = 'replace' | 'add' | 'subtract';

/**
 * What one gesture asks the segmenter, how its mask will join the region, and the clicks and instance it leaves
 * pending until the answer comes.
 */
export interface RoiSearch {
  readonly request: { readonly text?: string; readonly boxImagePx?: Rect; readonly points?: RoiClick[] };
  readonly merge: RoiMerge;
  readonly clicks: RoiClick[];
  /** Which instance the search picks or excludes, or null. */
  readonly instance: number | null;
}

/** Text: a fresh search whose mask replaces the region; nothing for blank text. */
export function textSearch(text: string): RoiSearch | null {
  const phrase = text.trim();
  return phrase ? { request: { text: phrase }, merge: 'replace', clicks: [], instance: null } : null;
}

/**
 * A click, with every click so far (SAM refines with the cached embedding). Negative clicks alone mean "not this":
 * the object under the latest one is found and taken out of the region.
 */
export function clickSearch(previous: readonly RoiClick[], point: RoiClick): RoiSearch {
  const clicks = [...previous, point];
  return clicks.some((c) => c.isPositive)
    ? { request: { points: clicks }, merge: 'add', clicks, instance: null }
    : { request: { points: [{ ...point, isPositive: true }] }, merge: 'subtract', clicks, instance: null };
}

/** A drawn box: its object joins the region; the clicks are forgotten. */
export function boxSearch(boxImagePx: Rect): RoiSearch {
  return { request: { boxImagePx }, merge: 'add', clicks: [], instance: null };
}

/** Picks or excludes one detected instance by segmenting its box; nothing for an index that is not there. */
export function instanceSearch(instances: readonly RoiInstance[], clicks: RoiClick[], index: number): RoiSearch | null {
  const instance = instances[index];
  if (!instance) return null;
  const merge = instance.isPicked ? 'subtract' : 'add';
  return { request: { boxImagePx: instance.boxImagePx }, merge, clicks, instance: index };
}

/**
 * The instance list after a finished segmentation: the pending instance flips, a text search lists what it found
 * (all picked), and a click or box search leaves the list as it was.
 */
export function instancesAfter(
  instances: readonly RoiInstance[],
  pending: number | null,
  result: Extract<JobResult, { kind: 'segment' }>,
): RoiInstance[] {
  if (pending !== null)
    return instances.map((item, i) => (i === pending ? { ...item, isPicked: !item.isPicked } : item));
  if (!result.instances.some((item) => item.phrase !== null)) return [...instances];
  return result.instances.map((item) => ({
    boxImagePx: { x0: item.x0, y0: item.y0, x1: item.x1, y1: item.y1 },
    phrase: item.phrase,
    score: item.score,
    isPicked: true,
  }));
}
