/**
 * Resampling and cropping of interleaved 8-bit images. Each axis is resampled on its own: area averaging when that
 * axis shrinks (every source pixel weighs by how much of it the destination pixel covers, so no aliasing), bilinear
 * interpolation on pixel centres when it grows (OpenCV's INTER_LINEAR convention: source = (dst + 0.5)·in/out − 0.5,
 * edges clamped). Equal sizes give the input back unchanged.
 */

import { invalidArgument } from '../errors';
import type { Rect, RgbImage } from './types';

/** Per destination index along one axis: the first source index, the tap count and the tap weights. */
export interface AxisTaps {
  readonly start: Int32Array;
  readonly count: Int32Array;
  readonly offset: Int32Array;
  readonly weights: Float32Array;
}

/**
 * The source taps {@link resizeChannels} uses along one axis of `inN` pixels resampled to `outN` (exported so a
 * caller can recompute part of a resize with bit-identical results).
 */
export function axisTaps(inN: number, outN: number): AxisTaps {
  const start = new Int32Array(outN);
  const count = new Int32Array(outN);
  const offset = new Int32Array(outN);
  const weights: number[] = [];
  if (outN < inN) {
    const scale = inN / outN;
    for (let j = 0; j < outN; j++) {
      const from = j * scale;
      const to = Math.min(inN, (j + 1) * scale);
      const first = Math.floor(from);
      const last = Math.min(inN - 1, Math.ceil(to) - 1);
      start[j] = first;
      offset[j] = weights.length;
      for (let i = first; i <= last; i++) {
        const covered = Math.min(to, i + 1) - Math.max(from, i);
        weights.push(covered / scale);
      }
      count[j] = last - first + 1;
    }
  } else {
    const scale = inN / outN;
    for (let j = 0; j < outN; j++) {
      const src = Math.min(inN - 1, Math.max(0, (j + 0.5) * scale - 0.5));
      const i0 = Math.floor(src);
      const fraction = src - i0;
      start[j] = i0;
      offset[j] = weights.length;
      if (fraction > 0 && i0 + 1 < inN) {
        weights.push(1 - fraction, fraction);
        count[j] = 2;
      } else {
        weights.push(1);
        count[j] = 1;
      }
    }
  }
  return { start, count, offset, weights: Float32Array.from(weights) };
}

/**
 * Resamples interleaved 8-bit data with `channels` channels from `width`×`height` to `outWidth`×`outHeight`
 * (area averaging per shrinking axis, bilinear per growing axis; see the module comment). Returns new data.
 */
export function resizeChannels(
  data: Uint8Array,
  width: number,
  height: number,
  channels: number,
  outWidth: number,
  outHeight: number,
): Uint8Array {
  checkSize(outWidth, outHeight, 'target');
  if (data.length !== width * height * channels) {
    throw invalidArgument(`image data has ${data.length} bytes, expected ${width}×${height}×${channels}`);
  }
  if (outWidth === width && outHeight === height) return data.slice();
  const xTaps = axisTaps(width, outWidth);
  const yTaps = axisTaps(height, outHeight);
  const rowIn = width * channels;
  // Per destination row: the vertical pass sums whole source rows into one float row (a streaming loop over
  // contiguous memory), then the horizontal pass reads that row. No full-size intermediate buffer.
  const row = new Float32Array(rowIn);
  const out = new Uint8Array(outWidth * outHeight * channels);
  for (let y = 0; y < outHeight; y++) {
    row.fill(0);
    const first = yTaps.start[y]!;
    const n = yTaps.count[y]!;
    const w0 = yTaps.offset[y]!;
    for (let k = 0; k < n; k++) {
      const weight = yTaps.weights[w0 + k]!;
      const inBase = (first + k) * rowIn;
      for (let i = 0; i < rowIn; i++) row[i]! += data[inBase + i]! * weight;
    }
    let q = y * outWidth * channels;
    for (let x = 0; x < outWidth; x++) {
      const taps = xTaps.count[x]!;
      const t0 = xTaps.offset[x]!;
      const p0 = xTaps.start[x]! * channels;
      for (let c = 0; c < channels; c++, q++) {
        let sum = 0;
        for (let k = 0, p = p0 + c; k < taps; k++, p += channels) sum += row[p]! * xTaps.weights[t0 + k]!;
        const v = Math.round(sum);
        out[q] = v < 0 ? 0 : v > 255 ? 255 : v;
      }
    }
  }
  return out;
}

/**
 * Resizes an RGB image to `width`×`height`: area averaging when shrinking, bilinear when enlarging (per axis).
 * Used for the working frame, the compositor and the renderer's preview.
 */
export function resizeRgb(image: RgbImage, width: number, height: number): RgbImage {
  checkRgb(image);
  return { width, height, data: resizeChannels(image.data, image.width, image.height, 3, width, height) };
}

/** Copies the pixels of `rect` (image px, x1/y1 exclusive) out of an RGB image. The rect must lie inside it. */
export function cropRgb(image: RgbImage, rect: Rect): RgbImage {
  checkRgb(image);
  return { ...cropChannels(image.data, image.width, image.height, 3, rect) };
}

/** Crops interleaved `channels`-channel data to `rect`; shared by {@link cropRgb} and the mask crop. */
export function cropChannels(
  data: Uint8Array,
  width: number,
  height: number,
  channels: number,
  rect: Rect,
): { width: number; height: number; data: Uint8Array } {
  checkRect(rect, width, height);
  const outWidth = rect.x1 - rect.x0;
  const outHeight = rect.y1 - rect.y0;
  const out = new Uint8Array(outWidth * outHeight * channels);
  const rowBytes = outWidth * channels;
  for (let y = 0; y < outHeight; y++) {
    const from = ((rect.y0 + y) * width + rect.x0) * channels;
    out.set(data.subarray(from, from + rowBytes), y * rowBytes);
  }
  return { width: outWidth, height: outHeight, data: out };
}

/** Throws unless `rect` has integer edges, is non-empty and lies inside a `width`×`height` image. */
export function checkRect(rect: Rect, width: number, height: number): void {
  const { x0, y0, x1, y1 } = rect;
  if (![x0, y0, x1, y1].every(Number.isInteger)) {
    throw invalidArgument(`rectangle edges must be integers, got ${x0},${y0}–${x1},${y1}`);
  }
  if (x0 < 0 || y0 < 0 || x1 > width || y1 > height || x1 <= x0 || y1 <= y0) {
    throw invalidArgument(`rectangle ${x0},${y0}–${x1},${y1} is empty or outside the ${width}×${height} image`);
  }
}

/** Throws unless `width`×`height` are positive integers. */
export function checkSize(width: number, height: number, what: string): void {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw invalidArgument(`${what} size must be positive integers, got ${String(width)}×${String(height)}`);
  }
}

/** Throws unless `image` is a consistent RGB image. */
export function checkRgb(image: RgbImage): void {
  checkSize(image.width, image.height, 'image');
  if (image.data.length !== image.width * image.height * 3) {
    throw invalidArgument(
      `RGB image data has ${image.data.length} bytes, expected ${image.width}×${image.height}×3 = ${image.width * image.height * 3}`,
    );
  }
}
