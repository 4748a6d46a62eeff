/**
 * Compositing in the file's own values (architecture.md §3, step 9): the model's sRGB result is enlarged to image
 * pixels in floating point (so a 16-bit file gets smooth values, not 8-bit steps), converted into the file's
 * profile inside the blend region only, and blended into the stored values there. Every stored value where the
 * blend mask is 0 is copied unchanged: any profile, any bit depth, any EXIF orientation.
 */
import { axisTaps } from '../../shared/image/resize';
import type { WorkingFrame } from '../../shared/image/geometry';
import type { Mask, Rect, RgbImage } from '../../shared/image/types';
import { converterFor, type SourceColour, type StoredPixels } from '../image/stored';
import { srgbToCmyk } from './cmyk';
import { storedIndexer } from '../image/orientation';
import { originalLightness, withLightness } from './lightness';

/** Bounding box (oriented px) of the mask's non-zero pixels, or null. */
function boundingBox(mask: Mask): Rect | null {
  let x0 = mask.width;
  let y0 = mask.height;
  let x1 = -1;
  let y1 = -1;
  for (let y = 0; y < mask.height; y++) {
    const row = y * mask.width;
    for (let x = 0; x < mask.width; x++) {
      if (mask.data[row + x] === 0) continue;
      if (x < x0) x0 = x;
      if (x > x1) x1 = x;
      y0 = Math.min(y0, y);
      y1 = y;
    }
  }
  return x1 < 0 ? null : { x0, y0, x1: x1 + 1, y1: y1 + 1 };
}

/** The working result enlarged (bilinear, as `workingRgbToSource`) onto `box` of the image, as 0–255 floats. */
function enlarge(result: RgbImage, frame: WorkingFrame, box: Rect): Float32Array {
  const { x0, y0, x1, y1 } = frame.sourcePx;
  const xTaps = axisTaps(result.width, x1 - x0);
  const yTaps = axisTaps(result.height, y1 - y0);
  const w = box.x1 - box.x0;
  const out = new Float32Array(w * (box.y1 - box.y0) * 3);
  const row = new Float32Array(result.width * 3);
  for (let y = box.y0; y < box.y1; y++) {
    const j = y - y0;
    row.fill(0);
    for (let k = 0; k < yTaps.count[j]!; k++) {
      const weight = yTaps.weights[yTaps.offset[j]! + k]!;
      const base = (yTaps.start[j]! + k) * result.width * 3;
      for (let i = 0; i < row.length; i++) row[i]! += result.data[base + i]! * weight;
    }
    let q = (y - box.y0) * w * 3;
    for (let x = box.x0; x < box.x1; x++) {
      const i = x - x0;
      const t0 = xTaps.offset[i]!;
      const p0 = xTaps.start[i]! * 3;
      for (let c = 0; c < 3; c++, q++) {
        let sum = 0;
        for (let k = 0; k < xTaps.count[i]!; k++) sum += row[p0 + k * 3 + c]! * xTaps.weights[t0 + k]!;
        out[q] = sum;
      }
    }
  }
  return out;
}

export interface StoredComposite {
  /** The stored values with the edit blended in. */
  readonly image: StoredPixels;
  /** Stored-orientation mask (stored size): non-zero where a value may differ from the source. */
  readonly region: Uint8Array;
}

/**
 * Blends the working-frame result into a copy of the stored values through `blendMask` (oriented image px); with
 * `keepLightness`, the result's colour first takes the original's L* (lightness.ts).
 */
export async function compositeStored(
  stored: StoredPixels,
  colour: SourceColour,
  orientation: number,
  resultWorking: RgbImage,
  frame: WorkingFrame,
  blendMask: Mask,
  keepLightness = false,
): Promise<StoredComposite> {
  const out = stored.data.slice();
  const region = new Uint8Array(stored.width * stored.height);
  const image = { ...stored, data: out };
  const box = boundingBox(blendMask);
  if (!box) return { image, region };
  const enlarged = enlarge(resultWorking, frame, box);
  const srgb = keepLightness
    ? withLightness(enlarged, await originalLightness(stored, colour, orientation, box))
    : enlarged;
  const encoded = colour.space === 'cmyk' ? await srgbToCmyk(srgb, colour.icc) : converterFor(colour).fromSrgb(srgb);
  const index = storedIndexer(orientation, stored.width, stored.height);
  const { channels, colourChannels } = stored;
  const max = stored.depth === 16 ? 65535 : 255;
  const w = box.x1 - box.x0;
  for (let y = box.y0; y < box.y1; y++) {
    for (let x = box.x0; x < box.x1; x++) {
      const m = blendMask.data[y * blendMask.width + x]!;
      if (m === 0) continue;
      const i = index(x, y);
      region[i] = m;
      const p = i * channels;
      const q = ((y - box.y0) * w + (x - box.x0)) * colourChannels;
      for (let c = 0; c < colourChannels; c++) {
        const s = stored.data[p + c]!;
        const t = encoded[q + c]! * max;
        out[p + c] = Math.round(s + ((t - s) * m) / 255);
      }
    }
  }
  return { image, region };
}
