/**
 * Operations on 8-bit masks (0 = outside, 255 = inside, between = soft). Every function returns a new mask and
 * leaves its inputs untouched. The morphological ones (dilate, erode, fill holes, drop islands) work on the hard
 * mask "value ≥ 128" and return 0/255; the others keep soft values.
 *
 * Connectivity: foreground regions are 8-connected, background regions 4-connected (the dual pair, so a ring that
 * touches itself only diagonally still encloses its hole).
 */

import { invalidArgument } from '../errors';
import { checkSize, resizeChannels } from './resize';
import type { Mask, Rect } from './types';

/** Throws unless `mask` has positive integer sizes and `width × height` bytes. */
export function checkMask(mask: Mask, what = 'mask'): void {
  if (!Number.isInteger(mask.width) || !Number.isInteger(mask.height) || mask.width < 1 || mask.height < 1) {
    throw invalidArgument(`${what} size must be positive integers, got ${String(mask.width)}×${String(mask.height)}`);
  }
  if (mask.data.length !== mask.width * mask.height) {
    throw invalidArgument(`${what} data has ${mask.data.length} bytes, expected ${mask.width}×${mask.height}`);
  }
}

function checkSameSize(a: Mask, b: Mask): void {
  checkMask(a, 'first mask');
  checkMask(b, 'second mask');
  if (a.width !== b.width || a.height !== b.height) {
    throw invalidArgument(`masks differ in size: ${a.width}×${a.height} and ${b.width}×${b.height}`);
  }
}

function checkThreshold(threshold: number): void {
  if (!Number.isInteger(threshold) || threshold < 0 || threshold > 255) {
    throw invalidArgument(`mask threshold must be an integer from 0 to 255, got ${String(threshold)}`);
  }
}

function checkRadius(px: number, what: string): void {
  if (!(px >= 0 && px <= 4096)) throw invalidArgument(`${what} must be from 0 to 4096 px, got ${String(px)}`);
}

function withData(mask: Mask, data: Uint8Array): Mask {
  return { width: mask.width, height: mask.height, data };
}

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
 * Binary dilation by a Euclidean disk: output pixel (x, y) is set when some input pixel (x', y') with value ≥ 128
 * (or < 128 when `invert`) has (x − x')² + (y − y')² ≤ r². O(width · height) whatever r:
 * 1. per column, the distance g to the nearest set pixel above or below (capped at ⌊r⌋ + 1);
 * 2. per row, each column x' with g ≤ r covers [x' − w(g), x' + w(g)] with w(g) = ⌊√(r² − g²)⌋; one sweep over the
 *    interval starts unions them.
 */
function dilateBinary(mask: Mask, radius: number, invert: boolean): Uint8Array {
  const { width, height, data } = mask;
  const reach = Math.floor(radius);
  const none = reach + 1;
  const span = new Int32Array(none);
  for (let g = 0; g <= reach; g++) span[g] = Math.floor(Math.sqrt(radius * radius - g * g));

  // v ^ 255 = 255 − v for bytes, so "set" is one comparison in both modes.
  const flip = invert ? 255 : 0;
  // Distances are capped at ⌊r⌋ + 1: one byte each up to r = 254 (half the memory to touch).
  const distance = none <= 255 ? new Uint8Array(width * height) : new Uint16Array(width * height);
  for (let x = 0; x < width; x++) distance[x] = (data[x]! ^ flip) >= 128 ? 0 : none;
  for (let y = 1; y < height; y++) {
    const row = y * width;
    for (let x = 0; x < width; x++) {
      if ((data[row + x]! ^ flip) >= 128) distance[row + x] = 0;
      else {
        const above = distance[row - width + x]! + 1;
        distance[row + x] = above < none ? above : none;
      }
    }
  }
  for (let y = height - 2; y >= 0; y--) {
    const row = y * width;
    for (let x = 0; x < width; x++) {
      const below = distance[row + width + x]! + 1;
      if (below < distance[row + x]!) distance[row + x] = below;
    }
  }

  const out = new Uint8Array(width * height);
  const intervalEnd = new Int32Array(width);
  const on = invert ? 0 : 255;
  const off = invert ? 255 : 0;
  for (let y = 0; y < height; y++) {
    const row = y * width;
    intervalEnd.fill(-1);
    let any = false;
    for (let x = 0; x < width; x++) {
      const g = distance[row + x]!;
      if (g === none) continue;
      any = true;
      const w = span[g]!;
      const start = x - w < 0 ? 0 : x - w;
      const end = x + w;
      if (end > intervalEnd[start]!) intervalEnd[start] = end;
    }
    if (!any) {
      out.fill(off, row, row + width);
      continue;
    }
    let covered = -1;
    for (let x = 0; x < width; x++) {
      const end = intervalEnd[x]!;
      if (end > covered) covered = end;
      out[row + x] = x <= covered ? on : off;
    }
  }
  return out;
}

/**
 * Grows the hard mask (≥ 128) by `px` with a round structuring element: every pixel within Euclidean distance `px`
 * of the mask is set (the digital disk x² + y² ≤ px²). Returns 0/255. Linear time in the pixel count for any `px`.
 */
export function dilateMask(mask: Mask, px: number): Mask {
  checkMask(mask);
  checkRadius(px, 'dilation');
  return withData(mask, dilateBinary(mask, px, false));
}

/**
 * Shrinks the hard mask (≥ 128) by `px` with a round structuring element: the exact dual of {@link dilateMask}
 * (`erode(m) = invert(dilate(invert(m)))`). Outside the image counts as inside the mask, so a mask that touches the
 * border is not eaten from the border. Returns 0/255.
 */
export function erodeMask(mask: Mask, px: number): Mask {
  checkMask(mask);
  checkRadius(px, 'erosion');
  return withData(mask, dilateBinary(mask, px, true));
}

/** `table[s] = round(s / size)` for every possible window sum s of bytes: a lookup instead of a division per pixel. */
function quotients(size: number): Uint8Array {
  const table = new Uint8Array(255 * size + 1);
  const half = size >> 1;
  for (let s = 0; s < table.length; s++) table[s] = ((s + half) / size) | 0;
  return table;
}

/** One box-blur pass of radius `r` along rows (edges replicated), rounded to the nearest byte. */
function boxBlurRows(src: Uint8Array, dst: Uint8Array, width: number, height: number, r: number): void {
  const average = quotients(2 * r + 1);
  const last = width - 1;
  for (let y = 0; y < height; y++) {
    const row = y * width;
    let sum = 0;
    for (let k = -r; k <= r; k++) sum += src[row + (k < 0 ? 0 : k > last ? last : k)]!;
    for (let x = 0; x < width; x++) {
      dst[row + x] = average[sum]!;
      const enter = x + r + 1;
      const leave = x - r;
      sum += src[row + (enter > last ? last : enter)]! - src[row + (leave < 0 ? 0 : leave)]!;
    }
  }
}

/** One box-blur pass of radius `r` along columns, with running column sums so memory is read row by row. */
function boxBlurColumns(src: Uint8Array, dst: Uint8Array, width: number, height: number, r: number): void {
  const average = quotients(2 * r + 1);
  const last = height - 1;
  const sums = new Int32Array(width);
  for (let k = -r; k <= r; k++) {
    const row = (k < 0 ? 0 : k > last ? last : k) * width;
    for (let x = 0; x < width; x++) sums[x]! += src[row + x]!;
  }
  for (let y = 0; y < height; y++) {
    const row = y * width;
    const enter = (y + r + 1 > last ? last : y + r + 1) * width;
    const leave = (y - r < 0 ? 0 : y - r) * width;
    for (let x = 0; x < width; x++) {
      const sum = sums[x]!;
      dst[row + x] = average[sum]!;
      sums[x] = sum + src[enter + x]! - src[leave + x]!;
    }
  }
}

/**
 * Softens the mask's edges by `px`: three box blurs per axis (radii summing to `px`), a close approximation of a
 * Gaussian with σ ≈ px / 3 (so the ramp spans about ±px), in time independent of `px`. Pixels farther than `px` from any edge keep their value
 * (the interior stays 255, the far outside 0); edges become monotone ramps. Image borders replicate the edge pixels.
 */
export function featherMask(mask: Mask, px: number): Mask {
  checkMask(mask);
  checkRadius(px, 'feather');
  const total = Math.round(px);
  const radii = [Math.floor(total / 3), Math.floor((total + 1) / 3), Math.floor((total + 2) / 3)];
  const { width, height } = mask;
  let a = mask.data.slice();
  let b = new Uint8Array(a.length);
  for (const r of radii) {
    if (r === 0) continue;
    boxBlurRows(a, b, width, height, r);
    [a, b] = [b, a];
  }
  for (const r of radii) {
    if (r === 0) continue;
    boxBlurColumns(a, b, width, height, r);
    [a, b] = [b, a];
  }
  return withData(mask, a);
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

/**
 * Visits the connected regions of pixels whose hard value (≥ 128) equals `foreground`; `decide(area, touchesBorder)`
 * says whether to flip a region. Foreground uses 8-connectivity, background 4-connectivity. Returns the new 0/255
 * data. Works on a grid padded by one sentinel pixel on every side, so the flood fill needs no bounds checks.
 */
function flipRegions(
  mask: Mask,
  foreground: boolean,
  decide: (area: number, touchesBorder: boolean) => boolean,
): Uint8Array {
  const { width, height, data } = mask;
  const paddedWidth = width + 2;
  // Grid states: 0 = other class or visited, 1 = region pixel not yet visited, 2 = outside the image, 3 = flip.
  const grid = new Uint8Array(paddedWidth * (height + 2));
  grid.fill(2, 0, paddedWidth);
  grid.fill(2, (height + 1) * paddedWidth);
  for (let y = 0; y < height; y++) {
    const row = (y + 1) * paddedWidth;
    grid[row] = 2;
    grid[row + width + 1] = 2;
    const source = y * width;
    for (let x = 0; x < width; x++) grid[row + x + 1] = data[source + x]! >= 128 === foreground ? 1 : 0;
  }
  const neighbours = foreground
    ? [-paddedWidth - 1, -paddedWidth, -paddedWidth + 1, -1, 1, paddedWidth - 1, paddedWidth, paddedWidth + 1]
    : [-paddedWidth, -1, 1, paddedWidth];
  const queue = new Int32Array(width * height);
  for (let seed = paddedWidth; seed < grid.length - paddedWidth; seed++) {
    if (grid[seed] !== 1) continue;
    grid[seed] = 0;
    queue[0] = seed;
    let head = 0;
    let tail = 1;
    let touchesBorder = false;
    while (head < tail) {
      const p = queue[head++]!;
      for (const offset of neighbours) {
        const q = p + offset;
        const state = grid[q]!;
        if (state === 1) {
          grid[q] = 0;
          queue[tail++] = q;
        } else if (state === 2) touchesBorder = true;
      }
    }
    if (decide(tail, touchesBorder)) for (let k = 0; k < tail; k++) grid[queue[k]!] = 3;
  }
  const out = new Uint8Array(width * height);
  const kept = foreground ? 255 : 0;
  for (let y = 0; y < height; y++) {
    const row = (y + 1) * paddedWidth + 1;
    const source = y * width;
    for (let x = 0; x < width; x++) {
      const hard = data[source + x]! >= 128 ? 255 : 0;
      out[source + x] = grid[row + x] === 3 ? 255 - kept : hard;
    }
  }
  return out;
}

/**
 * Fills holes in the hard mask (≥ 128): background regions that do not touch the image border and have at most
 * `maxHoleArea` pixels (default: any size) become 255. A notch open to the border is not a hole. Returns 0/255.
 */
export function fillHoles(mask: Mask, maxHoleArea = Number.POSITIVE_INFINITY): Mask {
  checkMask(mask);
  if (!(maxHoleArea >= 0)) throw invalidArgument(`largest hole area must be ≥ 0 px, got ${String(maxHoleArea)}`);
  return withData(
    mask,
    flipRegions(mask, false, (area, touchesBorder) => !touchesBorder && area <= maxHoleArea),
  );
}

/** Removes islands of the hard mask (≥ 128): 8-connected regions smaller than `minArea` pixels. Returns 0/255. */
export function dropIslands(mask: Mask, minArea: number): Mask {
  checkMask(mask);
  if (!(minArea >= 0)) throw invalidArgument(`smallest island area must be ≥ 0 px, got ${String(minArea)}`);
  return withData(
    mask,
    flipRegions(mask, true, (area) => area < minArea),
  );
}
