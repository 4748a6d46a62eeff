import type { Mask, RgbImage } from '../../../shared/image/types';

/** Split-slider position (0…1 of the image width) under a pointer, clamped. */
export function splitFraction(pointerCanvasX: number, imageLeftCanvasPx: number, imageWidthCanvasPx: number): number {
  if (imageWidthCanvasPx <= 0) return 0.5;
  return Math.min(1, Math.max(0, (pointerCanvasX - imageLeftCanvasPx) / imageWidthCanvasPx));
}

/** What the difference view found. */
export interface DifferenceStats {
  /** Pixels whose RGB differs at all. */
  readonly changedPixels: number;
  /** Changed pixels where the mask is 0: the edit's guarantee is that there are none. */
  readonly changedOutsideMask: number;
  /** The largest per-channel difference anywhere. */
  readonly maxDifference: number;
}

/**
 * A heat map of |a − b| (largest channel difference, as RGBA for an ImageData: transparent where equal, red to
 * yellow by size) and counts of changed pixels, inside and outside `mask` (a pixel is outside when its mask byte is 0).
 */
export function differenceMap(
  a: RgbImage,
  b: RgbImage,
  mask: Mask | null,
): { rgba: Uint8ClampedArray<ArrayBuffer>; stats: DifferenceStats } {
  if (a.width !== b.width || a.height !== b.height) {
    throw new Error(`the images differ in size (${a.width}×${a.height} and ${b.width}×${b.height})`);
  }
  const n = a.width * a.height;
  const hasMask = mask !== null && mask.width === a.width && mask.height === a.height;
  const rgba = new Uint8ClampedArray(n * 4);
  let changedPixels = 0;
  let changedOutsideMask = 0;
  let maxDifference = 0;
  for (let i = 0, p = 0; i < n; i++, p += 3) {
    const d = Math.max(
      Math.abs(a.data[p]! - b.data[p]!),
      Math.abs(a.data[p + 1]! - b.data[p + 1]!),
      Math.abs(a.data[p + 2]! - b.data[p + 2]!),
    );
    if (d === 0) continue;
    changedPixels++;
    if (hasMask && mask.data[i] === 0) changedOutsideMask++;
    if (d > maxDifference) maxDifference = d;
    const q = i * 4;
    const level = Math.min(255, 64 + d * 3);
    rgba[q] = 255;
    rgba[q + 1] = Math.max(0, level - 128) * 2;
    rgba[q + 2] = 0;
    rgba[q + 3] = Math.min(255, 96 + d * 4);
  }
  return { rgba, stats: { changedPixels, changedOutsideMask, maxDifference } };
}
