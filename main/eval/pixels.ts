/**
 * Pixel metrics of the unedited part, as PIE-Bench computes them (Ju et al., "Direct Inversion", ICLR 2024,
 * `matrics_calculator.py`): both images in [0, 1] are multiplied by the unedited-part mask (1 outside the region,
 * 0 inside), and the metric runs over the whole frame of those masked images. Masked pixels are then equal (0) in
 * both, so they add nothing to the error but still count in the mean, exactly as in PIE-Bench.
 *
 * - MSE: mean over every pixel and channel; PSNR = 10·log10(1 / MSE), +∞ when MSE is 0 (reported as `null`).
 * - SSIM: Wang et al. 2004 — an 11×11 Gaussian window, σ = 1.5, K1 = 0.01, K2 = 0.03, data range 1, computed per
 *   RGB channel over the "valid" part of the frame (no padding; 5 px border dropped) and averaged. This is
 *   skimage's `structural_similarity(gaussian_weights=True, sigma=1.5, use_sample_covariance=False, data_range=1)`
 *   and torchmetrics' default SSIM (which PIE-Bench uses).
 */
import type { Mask, RgbImage } from '../../shared/image/types';

/** Unedited-part weights: 1 where the mask is below 128 (outside the region), else 0. */
export function keepWeights(region: Mask): Uint8Array {
  const keep = new Uint8Array(region.data.length);
  for (let i = 0; i < keep.length; i++) keep[i] = region.data[i]! < 128 ? 1 : 0;
  return keep;
}

/** The image in [0, 1] multiplied by `keep`, channel-planar (C, H, W) as float64. */
function maskedPlanes(image: RgbImage, keep: Uint8Array): Float64Array {
  const n = image.width * image.height;
  const out = new Float64Array(n * 3);
  for (let i = 0; i < n; i++) {
    if (keep[i] === 0) continue;
    for (let c = 0; c < 3; c++) out[c * n + i] = image.data[i * 3 + c]! / 255;
  }
  return out;
}

/** MSE and PSNR of the unedited part. `psnr` is +Infinity when the masked images are identical. */
export function psnrMse(original: RgbImage, edited: RgbImage, keep: Uint8Array): { mse: number; psnr: number } {
  const n = original.width * original.height;
  let sum = 0;
  for (let i = 0; i < n; i++) {
    if (keep[i] === 0) continue;
    for (let c = 0; c < 3; c++) {
      const d = (original.data[i * 3 + c]! - edited.data[i * 3 + c]!) / 255;
      sum += d * d;
    }
  }
  const mse = sum / (n * 3);
  return { mse, psnr: mse === 0 ? Number.POSITIVE_INFINITY : 10 * Math.log10(1 / mse) };
}

/** SSIM's window size and the normalised 1-D Gaussian it is built from (σ = 1.5, truncated at 3.5σ → 11 taps). */
export const ssimWindow = 11;
const sigma = 1.5;
const kernel = ((): Float64Array => {
  const k = new Float64Array(ssimWindow);
  const half = (ssimWindow - 1) / 2;
  let total = 0;
  for (let i = 0; i < ssimWindow; i++) {
    k[i] = Math.exp(-((i - half) ** 2) / (2 * sigma * sigma));
    total += k[i]!;
  }
  for (let i = 0; i < ssimWindow; i++) k[i]! /= total;
  return k;
})();

/** Horizontal "valid" pass of x, y, x², y², xy for one row into `into` (5 × outWidth). */
function filterRow(x: Float64Array, y: Float64Array, offset: number, outWidth: number, into: Float64Array): void {
  for (let ox = 0; ox < outWidth; ox++) {
    let sx = 0;
    let sy = 0;
    let sxx = 0;
    let syy = 0;
    let sxy = 0;
    for (let t = 0; t < ssimWindow; t++) {
      const w = kernel[t]!;
      const a = x[offset + ox + t]!;
      const b = y[offset + ox + t]!;
      sx += w * a;
      sy += w * b;
      sxx += w * a * a;
      syy += w * b * b;
      sxy += w * a * b;
    }
    into[ox] = sx;
    into[outWidth + ox] = sy;
    into[2 * outWidth + ox] = sxx;
    into[3 * outWidth + ox] = syy;
    into[4 * outWidth + ox] = sxy;
  }
}

/** Mean SSIM of one channel plane (width × height), streaming: a ring of 11 filtered rows, O(width) memory. */
function ssimPlane(x: Float64Array, y: Float64Array, width: number, height: number): number {
  const outWidth = width - ssimWindow + 1;
  const outHeight = height - ssimWindow + 1;
  const ring = Array.from({ length: ssimWindow }, () => new Float64Array(5 * outWidth));
  const c1 = 0.01 ** 2;
  const c2 = 0.03 ** 2;
  let total = 0;
  for (let row = 0; row < height; row++) {
    filterRow(x, y, row * width, outWidth, ring[row % ssimWindow]!);
    if (row < ssimWindow - 1) continue;
    const top = row - ssimWindow + 1;
    for (let ox = 0; ox < outWidth; ox++) {
      let mx = 0;
      let my = 0;
      let exx = 0;
      let eyy = 0;
      let exy = 0;
      for (let t = 0; t < ssimWindow; t++) {
        const r = ring[(top + t) % ssimWindow]!;
        const w = kernel[t]!;
        mx += w * r[ox]!;
        my += w * r[outWidth + ox]!;
        exx += w * r[2 * outWidth + ox]!;
        eyy += w * r[3 * outWidth + ox]!;
        exy += w * r[4 * outWidth + ox]!;
      }
      const vx = exx - mx * mx;
      const vy = eyy - my * my;
      const cov = exy - mx * my;
      total += ((2 * mx * my + c1) * (2 * cov + c2)) / ((mx * mx + my * my + c1) * (vx + vy + c2));
    }
  }
  return total / (outWidth * outHeight);
}

/** SSIM of the unedited part; null when a side is shorter than the 11 px window. */
export function ssim(original: RgbImage, edited: RgbImage, keep: Uint8Array): number | null {
  const { width, height } = original;
  if (width < ssimWindow || height < ssimWindow) return null;
  const n = width * height;
  const a = maskedPlanes(original, keep);
  const b = maskedPlanes(edited, keep);
  let sum = 0;
  for (let c = 0; c < 3; c++) {
    sum += ssimPlane(a.subarray(c * n, (c + 1) * n), b.subarray(c * n, (c + 1) * n), width, height);
  }
  return sum / 3;
}

/** PSNR, MSE and SSIM of the part of the frame outside `region`. */
export interface PixelMetrics {
  readonly psnr: number;
  readonly mse: number;
  readonly ssim: number | null;
  /** Pixels outside the region (the part measured). */
  readonly unmaskedPx: number;
}

/** All pixel metrics for the part outside `region` (a mask: ≥ 128 = region). */
export function pixelMetrics(original: RgbImage, edited: RgbImage, region: Mask): PixelMetrics {
  const keep = keepWeights(region);
  let unmaskedPx = 0;
  for (const k of keep) unmaskedPx += k;
  return { ...psnrMse(original, edited, keep), ssim: ssim(original, edited, keep), unmaskedPx };
}
