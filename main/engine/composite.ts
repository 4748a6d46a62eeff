/**
 * Compositing (architecture.md §3, step 9): the decoded working-frame result goes back into the full-resolution
 * original through the dilated + feathered RoI mask. Where that mask is 0 — everywhere outside it, and everywhere
 * outside the working frame in focus mode — the output bytes are the input bytes.
 */
import { workingRgbToSource, type WorkingFrame } from '../../shared/image/geometry';
import { dilateMask, featherMask, thresholdMask } from '../../shared/image/mask';
import type { Mask, RgbImage } from '../../shared/image/types';

/** The blend mask at image px: RoI (hard) dilated by `dilatePx`, feathered by `featherPx`, 0 outside the frame. */
export function compositeMask(maskImagePx: Mask, frame: WorkingFrame, dilatePx: number, featherPx: number): Mask {
  let mask = thresholdMask(maskImagePx);
  if (dilatePx > 0) mask = dilateMask(mask, dilatePx);
  if (featherPx > 0) mask = featherMask(mask, featherPx);
  const { x0, y0, x1, y1 } = frame.sourcePx;
  const { width, height } = mask;
  if (x0 === 0 && y0 === 0 && x1 === width && y1 === height) return mask;
  const data = mask.data.slice();
  for (let y = 0; y < height; y++) {
    const row = y * width;
    if (y < y0 || y >= y1) data.fill(0, row, row + width);
    else {
      data.fill(0, row, row + x0);
      data.fill(0, row + x1, row + width);
    }
  }
  return { width, height, data };
}

/**
 * The latent-resolution editing mask for RoI blending, in [0, 1]: the working RoI grown by `growWorkingPx` (so
 * everything the composite takes from the result was generated freely) and max-pooled over each 8×8 block.
 */
export function latentMask(workingMask: Mask, growWorkingPx: number): Float32Array {
  const grown = growWorkingPx > 0 ? dilateMask(thresholdMask(workingMask), growWorkingPx) : thresholdMask(workingMask);
  const latentWidth = workingMask.width / 8;
  const latentHeight = workingMask.height / 8;
  const out = new Float32Array(latentWidth * latentHeight);
  for (let ly = 0; ly < latentHeight; ly++) {
    for (let lx = 0; lx < latentWidth; lx++) {
      let max = 0;
      for (let dy = 0; dy < 8 && max < 255; dy++) {
        const row = (ly * 8 + dy) * workingMask.width + lx * 8;
        for (let dx = 0; dx < 8; dx++) max = Math.max(max, grown.data[row + dx]!);
      }
      out[ly * latentWidth + lx] = max / 255;
    }
  }
  return out;
}

/**
 * Blends the working-size result into a copy of `original` (image px): out = in + (result − in)·m/255 with `mask`
 * from {@link compositeMask}. Pixels with m = 0 are copied unchanged.
 */
export function compositeResult(
  original: RgbImage,
  resultWorking: RgbImage,
  frame: WorkingFrame,
  mask: Mask,
): RgbImage {
  const source = workingRgbToSource(frame, resultWorking);
  const out = original.data.slice();
  const { x0, y0, x1, y1 } = frame.sourcePx;
  const width = original.width;
  const sourceWidth = x1 - x0;
  for (let y = y0; y < y1; y++) {
    for (let x = x0; x < x1; x++) {
      const m = mask.data[y * width + x]!;
      if (m === 0) continue;
      const p = (y * width + x) * 3;
      const q = ((y - y0) * sourceWidth + (x - x0)) * 3;
      for (let c = 0; c < 3; c++) {
        const a = original.data[p + c]!;
        out[p + c] = m === 255 ? source.data[q + c]! : Math.round(a + ((source.data[q + c]! - a) * m) / 255);
      }
    }
  }
  return { width: original.width, height: original.height, data: out };
}
