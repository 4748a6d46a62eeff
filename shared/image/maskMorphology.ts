/**
 * Morphology on the hard mask (value ≥ 128), returning 0/255: dilation and erosion by a Euclidean disk, hole filling
 * and island removal. Foreground regions are 8-connected, background regions 4-connected (see ./mask.ts).
 */

import { invalidArgument } from '../errors';
import { checkMask, checkRadius, withData } from './maskCheck';
import type { Mask } from './types';

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
