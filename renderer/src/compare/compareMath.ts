/** Split-slider position (0…1 of the image width) under a pointer, clamped. */
export function splitFraction(pointerCanvasX: number, imageLeftCanvasPx: number, imageWidthCanvasPx: number): number {
  if (imageWidthCanvasPx <= 0) return 0.5;
  return Math.min(1, Math.max(0, (pointerCanvasX - imageLeftCanvasPx) / imageWidthCanvasPx));
}

/**
 * What the difference view found, counted by main in the file's own stored values (`images:difference`), or why
 * the two images cannot be compared so.
 */
export type DifferenceStats =
  | {
      /** Pixels where any stored value differs. */
      readonly changedPixels: number;
      /** Changed pixels outside the edit's blend region: the edit's guarantee is that there are none. */
      readonly changedOutsideMask: number;
      /** The largest difference of one stored value, in the file's units. */
      readonly maxDifference: number;
      /** The file's bits per channel (the units of `maxDifference`). */
      readonly depth: 8 | 16;
    }
  | { readonly error: string };
