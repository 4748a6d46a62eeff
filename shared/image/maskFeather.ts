/** Feathering: soft mask edges from three box blurs per axis, in time independent of the radius. */

import { checkMask, checkRadius, withData } from './maskCheck';
import type { Mask } from './types';

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
