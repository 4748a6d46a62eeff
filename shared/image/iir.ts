/**
 * The Image Information Removal (IIR) module of IIR-Net (Zhang & Plummer, WACV 2024): inside the region of
 * interest, remove the colour (RGB → luma) and the texture (add Gaussian noise), so the ControlNet has to re-create
 * exactly what was removed, guided by the prompt.
 *
 * Luma is OpenCV's 8-bit RGB→GRAY: (4899·R + 9617·G + 1868·B + 2^13) >> 14, i.e. 0.299/0.587/0.114 in 14-bit fixed
 * point, rounded — byte-identical to `cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)`.
 *
 * Noise: every channel of every pixel gets its own N(0, σ²) sample (σ in [0,1] image units, ×255 in bytes). The
 * samples of pixel i (row-major index) depend only on the seed and on i: SplitMix32 output i (see random.ts) is cut
 * into three 10-bit numbers (bits 0–9 → R, 10–19 → G, 22–31 → B), each indexing a table of 1024 normal quantiles
 * Φ⁻¹((j + 0.5)/1024), rescaled to unit variance. So the noise field does not change when the mask does, pixels
 * outside the scope cost nothing, and one 32-bit hash and three table look-ups serve a pixel (Box–Muller, with a
 * log, a square root and a sine or cosine per sample, measured several times slower at 12 MP). The price is a
 * Gaussian quantised to 1024 levels and cut at ±3.3σ (beyond which values would mostly be clamped anyway), with
 * exactly the requested standard deviation.
 */

import { invalidArgument } from '../errors';
import { normalQuantile, seedToUint32 } from './random';
import { checkRgb } from './resize';
import type { Mask, RgbImage } from './types';

/** Where texture noise is added: only inside the RoI mask (blended by its softness), or over the whole image. */
export type NoiseScope = 'roi' | 'image';

/** Options of {@link removeInformation}. */
export interface RemoveInformationOptions {
  /** Colour removal: replace RGB by luma inside the mask. Default true. */
  readonly gray?: boolean;
  /** Texture removal: standard deviation σ of the added Gaussian noise, in [0, 1] image units. Default 0. */
  readonly noise?: number;
  /** Where the noise goes. Default `'roi'`. Colour removal is always confined to the mask. */
  readonly scope?: NoiseScope;
  /** Seed of the noise (any safe integer, see `seedToUint32`). Default 0. */
  readonly seed?: number;
}

const quantileBits = 10;
const quantileCount = 1 << quantileBits;
let standardQuantiles: Float64Array | undefined;

/** Φ⁻¹((j + 0.5)/1024) for j < 1024, scaled so the 1024 values have mean 0 and variance exactly 1. */
function quantiles(): Float64Array {
  if (standardQuantiles === undefined) {
    const z = new Float64Array(quantileCount);
    let sumSquares = 0;
    for (let j = 0; j < quantileCount; j++) {
      z[j] = normalQuantile((j + 0.5) / quantileCount);
      sumSquares += z[j]! * z[j]!;
    }
    const unit = 1 / Math.sqrt(sumSquares / quantileCount);
    for (let j = 0; j < quantileCount; j++) z[j]! *= unit;
    standardQuantiles = z;
  }
  return standardQuantiles;
}

/** Noise offsets in bytes, `round(σ·255·z[j])`, indexed by a uniform 10-bit number j. */
function noiseTable(sigma: number): Int16Array {
  const z = quantiles();
  const table = new Int16Array(quantileCount);
  const scale = sigma * 255;
  for (let j = 0; j < quantileCount; j++) table[j] = Math.round(scale * z[j]!);
  return table;
}

/** Offsets reach ±3.3 · 255 < 1024, so byte + offset lies in [−1024, 1279]. */
const clampOffset = 1024;
let clampBytes: Uint8Array | undefined;

/** `clampTable()[clampOffset + v]` = v clamped to [0, 255]. */
function clampTable(): Uint8Array {
  if (clampBytes === undefined) {
    clampBytes = new Uint8Array(2 * clampOffset + 256);
    for (let j = 0; j < clampBytes.length; j++) clampBytes[j] = Math.min(255, Math.max(0, j - clampOffset));
  }
  return clampBytes;
}

/**
 * Removes information from `image` inside `mask` (same size; 0 = keep, 255 = RoI, between = soft):
 *
 * - colour: RGB → luma (OpenCV weights) when `gray`;
 * - texture: + N(0, σ²) per channel, clamped to [0, 255];
 * - soft masks blend: with scope `'roi'`, out = in + (clamp(base + noise) − in) · m/255; with scope `'image'`, the
 *   gray blend is confined to the mask and the noise is added everywhere: out = clamp(in + (base − in) · m/255 + noise).
 *
 * With scope `'roi'`, pixels where the mask is 0 are byte-identical to the input. The same seed gives the same bytes
 * on every machine. Returns a new image; the inputs are not modified.
 */
export function removeInformation(image: RgbImage, mask: Mask, options: RemoveInformationOptions = {}): RgbImage {
  checkRgb(image);
  if (mask.width !== image.width || mask.height !== image.height || mask.data.length !== mask.width * mask.height) {
    throw invalidArgument(
      `the mask (${mask.width}×${mask.height}) must have the image's size (${image.width}×${image.height})`,
    );
  }
  const gray = options.gray ?? true;
  const sigma = options.noise ?? 0;
  if (!(sigma >= 0 && sigma <= 1)) throw invalidArgument(`noise must be a number from 0 to 1, got ${String(sigma)}`);
  const scope = options.scope ?? 'roi';
  if (scope !== 'roi' && scope !== 'image') {
    throw invalidArgument(`noise scope must be 'roi' or 'image', got '${String(scope)}'`);
  }
  const seed32 = seedToUint32(options.seed ?? 0);

  const src = image.data;
  const maskData = mask.data;
  const out = new Uint8Array(src.length);
  const pixels = maskData.length;
  const table = sigma > 0 ? noiseTable(sigma) : null;
  const wholeImage = scope === 'image';
  const copyOutside = !wholeImage || table === null;
  const seedInt = seed32 | 0;
  const clamp = clampTable();

  for (let i = 0, p = 0; i < pixels; i++, p += 3) {
    const m = maskData[i]!;
    if (m === 0 && copyOutside) {
      // Untouched pixels come in runs: copy each run in one go.
      let end = i + 1;
      while (end < pixels && maskData[end] === 0) end++;
      out.set(src.subarray(p, end * 3), p);
      p += (end - i - 1) * 3;
      i = end - 1;
      continue;
    }
    const r = src[p]!;
    const g = src[p + 1]!;
    const b = src[p + 2]!;
    let baseR = r;
    let baseG = g;
    let baseB = b;
    if (gray && m !== 0) {
      const luma = (4899 * r + 9617 * g + 1868 * b + 8192) >> 14;
      if (wholeImage && m !== 255) {
        const keep = 255 - m;
        baseR = ((r * keep + luma * m + 127) / 255) | 0;
        baseG = ((g * keep + luma * m + 127) / 255) | 0;
        baseB = ((b * keep + luma * m + 127) / 255) | 0;
      } else {
        baseR = baseG = baseB = luma;
      }
    }
    if (table !== null) {
      // splitMix32At(seed32, i), inlined: this loop runs once per pixel.
      let word = (seedInt + Math.imul(i + 1, 0x9e3779b9)) | 0;
      word = Math.imul(word ^ (word >>> 16), 0x21f0aaad);
      word = Math.imul(word ^ (word >>> 15), 0x735a2d97);
      word ^= word >>> 15;
      // Clamping by table lookup: with random noise, compare-and-branch clamps mispredict half the time.
      baseR = clamp[clampOffset + baseR + table[word & 1023]!]!;
      baseG = clamp[clampOffset + baseG + table[(word >>> 10) & 1023]!]!;
      baseB = clamp[clampOffset + baseB + table[word >>> 22]!]!;
    }
    if (m === 255 || wholeImage) {
      out[p] = baseR;
      out[p + 1] = baseG;
      out[p + 2] = baseB;
    } else {
      const keep = 255 - m;
      out[p] = ((r * keep + baseR * m + 127) / 255) | 0;
      out[p + 1] = ((g * keep + baseG * m + 127) / 255) | 0;
      out[p + 2] = ((b * keep + baseB * m + 127) / 255) | 0;
    }
  }
  return { width: image.width, height: image.height, data: out };
}
