/**
 * Where an edit changed a file, counted in the file's own stored values (not an sRGB rendering), with a heat map in
 * display orientation for the difference view.
 */
import type { GrayImage, RgbImage } from '../../shared/image/types';
import { storedIndexer } from './orientation';
import type { StoredPixels } from './stored';

export interface StoredDifferenceCounts {
  /** Pixels where any stored channel value differs. */
  readonly changedPixels: number;
  /** Changed pixels where `region` is 0. */
  readonly changedOutsideRegion: number;
  /** Largest difference of one stored value, in the file's units. */
  readonly maxDifference: number;
  readonly depth: 8 | 16;
}

/** The counts, and a heat map (display orientation): red to yellow by size, transparent where equal. */
export interface StoredDifferenceMap {
  readonly counts: StoredDifferenceCounts;
  readonly map: { readonly rgb: RgbImage; readonly alpha: GrayImage };
}

/** True when `a` and `b` hold the same kind of stored values (size, channels, depth, colour model). */
export function storedAlike(a: StoredPixels, b: StoredPixels): boolean {
  return (
    a.width === b.width &&
    a.height === b.height &&
    a.channels === b.channels &&
    a.depth === b.depth &&
    a.space === b.space
  );
}

/**
 * Compares stored values `a` and `b` (alike, stored orientation); `region` (stored size) is non-zero where the edit
 * may change values. The map is turned by EXIF `orientation` so it lies over the displayed image.
 */
export function storedDifferenceMap(
  a: StoredPixels,
  b: StoredPixels,
  region: Uint8Array,
  orientation: number,
): StoredDifferenceMap {
  const { width, height, channels } = a;
  const turned = orientation >= 5;
  const [w, h] = turned ? [height, width] : [width, height];
  const at = orientation === 1 ? null : storedIndexer(orientation, width, height);
  const rgb = new Uint8Array(w * h * 3);
  const alpha = new Uint8Array(w * h);
  const scale = a.depth === 16 ? 257 : 1;
  const { data: va } = a;
  const { data: vb } = b;
  let changedPixels = 0;
  let changedOutsideRegion = 0;
  let maxDifference = 0;
  for (let y = 0, o = 0; y < h; y++) {
    for (let x = 0; x < w; x++, o++) {
      const i = at === null ? o : at(x, y);
      const p = i * channels;
      let d = 0;
      for (let c = 0; c < channels; c++) {
        const e = va[p + c]! - vb[p + c]!;
        if (e > d) d = e;
        else if (-e > d) d = -e;
      }
      if (d === 0) continue;
      changedPixels++;
      if (region[i] === 0) changedOutsideRegion++;
      if (d > maxDifference) maxDifference = d;
      const d8 = Math.ceil(d / scale);
      rgb[o * 3] = 255;
      rgb[o * 3 + 1] = Math.max(0, Math.min(255, 64 + d8 * 3) - 128) * 2;
      alpha[o] = Math.min(255, 96 + d8 * 4);
    }
  }
  return {
    counts: { changedPixels, changedOutsideRegion, maxDifference, depth: a.depth },
    map: { rgb: { width: w, height: h, data: rgb }, alpha: { width: w, height: h, data: alpha } },
  };
}
