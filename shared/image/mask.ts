/**
 * Operations on 8-bit masks (0 = outside, 255 = inside, between = soft). Every function returns a new mask and
 * leaves its inputs untouched. The morphological ones (dilate, erode, fill holes, drop islands) work on the hard
 * mask "value ≥ 128" and return 0/255; the others keep soft values.
 *
 * Connectivity: foreground regions are 8-connected, background regions 4-connected (the dual pair, so a ring that
 * touches itself only diagonally still encloses its hole).
 */

import { invalidArgument } from '../errors';
import { checkMask, checkSameSize, checkThreshold, withData } from './maskCheck';
import { checkSize, resizeChannels } from './resize';
import type { Mask, Rect } from './types';

export { checkMask } from './maskCheck';
export { featherMask } from './maskFeather';
export { dilateMask, dropIslands, erodeMask, fillHoles } from './maskMorphology';

/** 255 where `mask ≥ threshold`, 0 elsewhere. Default threshold 128. */
export function thresholdMask(mask: Mask, threshold = 128): Mask {
  checkMask(mask);
  checkThreshold(threshold);
  const out = new Uint8Array(mask.data.length);
  for (let i = 0; i < out.length; i++) out[i] = mask.data[i]! >= threshold ? 255 : 0;
  return withData(mask, out);
}

/** 255 − mask. */
export function invertMask(mask: Mask): Mask {
  checkMask(mask);
  const out = new Uint8Array(mask.data.length);
  for (let i = 0; i < out.length; i++) out[i] = 255 - mask.data[i]!;
  return withData(mask, out);
}

/** Pixel-wise maximum of two masks of the same size (soft union). */
export function unionMasks(a: Mask, b: Mask): Mask {
  checkSameSize(a, b);
  const out = new Uint8Array(a.data.length);
  for (let i = 0; i < out.length; i++) out[i] = Math.max(a.data[i]!, b.data[i]!);
  return withData(a, out);
}

/** `a` minus `b`: pixel-wise min(a, 255 − b), e.g. the RoI minus "protect" strokes. */
export function subtractMask(a: Mask, b: Mask): Mask {
  checkSameSize(a, b);
  const out = new Uint8Array(a.data.length);
  for (let i = 0; i < out.length; i++) out[i] = Math.min(a.data[i]!, 255 - b.data[i]!);
  return withData(a, out);
}

/**
 * The smallest rectangle holding every pixel ≥ `threshold` (default 1: any coverage), x1/y1 exclusive;
 * `null` when there is none.
 */
export function maskBoundingBox(mask: Mask, threshold = 1): Rect | null {
  checkMask(mask);
  checkThreshold(threshold);
  const { width, height, data } = mask;
  let x0 = width;
  let x1 = -1;
  let y0 = -1;
  let y1 = -1;
  for (let y = 0; y < height; y++) {
    const row = y * width;
    let first = -1;
    for (let x = 0; x < width; x++) {
      if (data[row + x]! >= threshold) {
        first = x;
        break;
      }
    }
    if (first < 0) continue;
    if (y0 < 0) y0 = y;
    y1 = y;
    if (first < x0) x0 = first;
    for (let x = width - 1; x > x1; x--) {
      if (data[row + x]! >= threshold) {
        x1 = x;
        break;
      }
    }
  }
  if (y0 < 0) return null;
  return { x0, y0, x1: x1 + 1, y1: y1 + 1 };
}

/** Number of pixels ≥ `threshold` (default 128: the hard mask). */
export function maskArea(mask: Mask, threshold = 128): number {
  checkMask(mask);
  checkThreshold(threshold);
  let area = 0;
  for (const v of mask.data) if (v >= threshold) area++;
  return area;
}

/** True when no pixel reaches `threshold` (default 1: the mask is all zero). */
export function isMaskEmpty(mask: Mask, threshold = 1): boolean {
  checkMask(mask);
  checkThreshold(threshold);
  for (const v of mask.data) if (v >= threshold) return false;
  return true;
}

/** How {@link resizeMask} samples: `nearest` keeps a hard mask hard, `linear` keeps soft masks smooth. */
export type MaskResizeMode = 'nearest' | 'linear';

/**
 * Resizes a mask to `width`×`height`. `nearest` samples the source pixel under each destination pixel centre, so a
 * 0/255 mask stays 0/255; `linear` area-averages when shrinking and interpolates bilinearly when enlarging.
 */
export function resizeMask(mask: Mask, width: number, height: number, mode: MaskResizeMode = 'nearest'): Mask {
  checkMask(mask);
  checkSize(width, height, 'target mask');
  if (mode === 'linear')
    return { width, height, data: resizeChannels(mask.data, mask.width, mask.height, 1, width, height) };
  if (mode !== 'nearest')
    throw invalidArgument(`mask resize mode must be 'nearest' or 'linear', got '${String(mode)}'`);
  const columns = new Int32Array(width);
  for (let x = 0; x < width; x++) columns[x] = Math.min(mask.width - 1, Math.floor(((x + 0.5) * mask.width) / width));
  const out = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    const sourceRow = Math.min(mask.height - 1, Math.floor(((y + 0.5) * mask.height) / height)) * mask.width;
    const row = y * width;
    for (let x = 0; x < width; x++) out[row + x] = mask.data[sourceRow + columns[x]!]!;
  }
  return { width, height, data: out };
}
