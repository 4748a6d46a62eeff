/**
 * "Keep original lightness" (issue 15): for colour-only edits the composite keeps the original's CIELAB L* and takes
 * only hue and chroma (a*, b*) from the model, so texture, shading and fine detail come from the photo itself.
 *
 * Lightness is CIELAB L* relative to the ICC PCS white (D50), computed from the file's own stored values through its
 * profile (RGB matrix/TRC or gray TRC; CMYK through libvips' sRGB rendering). The model's result is sRGB; the new
 * colour Lab(L*original, a*result, b*result) is brought back into sRGB with its chroma reduced (hue and L* kept) only
 * where it would leave the sRGB gamut, and then goes through the same conversion into the file's profile and the
 * same feathered blend as every edit.
 */
import type { Rect } from '../../shared/image/types';
import { srgbCurve, srgbToXyz } from '../image/icc/convert';
import { invert, type Mat3, type ToneCurve } from '../image/icc/profile';
import { storedIndexer } from '../image/orientation';
import { renderSrgb } from '../image/render';
import type { SourceColour, StoredPixels } from '../image/stored';

/** The PCS white (D50) as X and Z (Y = 1): where sRGB's white lands, so sRGB grays have a* = b* = 0. */
const whiteX = srgbToXyz[0] + srgbToXyz[1] + srgbToXyz[2];
const whiteZ = srgbToXyz[6] + srgbToXyz[7] + srgbToXyz[8];
const epsilon = (6 / 29) ** 3;

const f = (t: number): number => (t > epsilon ? Math.cbrt(t) : t / (3 * (6 / 29) ** 2) + 4 / 29);
const fInverse = (t: number): number => (t > 6 / 29 ? t * t * t : 3 * (6 / 29) ** 2 * (t - 4 / 29));

/** CIELAB L* of a relative luminance Y (PCS, white = 1). */
export function lightnessOf(y: number): number {
  return 116 * f(y) - 16;
}

/** CIELAB (D50) of linear sRGB. */
export function labOfLinearSrgb(r: number, g: number, b: number): [number, number, number] {
  const m = srgbToXyz;
  const fx = f((m[0] * r + m[1] * g + m[2] * b) / whiteX);
  const fy = f(m[3] * r + m[4] * g + m[5] * b);
  const fz = f((m[6] * r + m[7] * g + m[8] * b) / whiteZ);
  return [116 * fy - 16, 500 * (fx - fy), 200 * (fy - fz)];
}

const xyzToSrgb: Mat3 = invert(srgbToXyz);
/** How far past the gamut's edge a linear value may fall (rounding), before chroma is reduced. */
const gamutSlack = 1e-6;

/** Linear sRGB of Lab, into `out`; whether it lies inside the gamut. */
function linearSrgbOfLab(l: number, a: number, b: number, out: Float64Array): boolean {
  const fy = (l + 16) / 116;
  const x = whiteX * fInverse(fy + a / 500);
  const y = fInverse(fy);
  const z = whiteZ * fInverse(fy - b / 200);
  const m = xyzToSrgb;
  out[0] = m[0] * x + m[1] * y + m[2] * z;
  out[1] = m[3] * x + m[4] * y + m[5] * z;
  out[2] = m[6] * x + m[7] * y + m[8] * z;
  return out.every((v) => v >= -gamutSlack && v <= 1 + gamutSlack);
}

const toLinear = (v: number): number => srgbCurve.toLinear(Math.min(255, Math.max(0, v)) / 255);
const toEncoded = (v: number): number => srgbCurve.toEncoded(Math.min(1, Math.max(0, v))) * 255;

/**
 * `srgb` (0–255 floats, 3 per pixel) with each pixel's L* replaced by `lightness` (one per pixel), its hue angle and
 * chroma kept, the chroma reduced by bisection only as far as the sRGB gamut needs.
 */
export function withLightness(srgb: Float32Array, lightness: Float32Array): Float32Array {
  const out = new Float32Array(srgb.length);
  const rgb = new Float64Array(3);
  for (let i = 0, p = 0; i < lightness.length; i++, p += 3) {
    const [, a, b] = labOfLinearSrgb(toLinear(srgb[p]!), toLinear(srgb[p + 1]!), toLinear(srgb[p + 2]!));
    const l = Math.min(100, Math.max(0, lightness[i]!));
    if (!linearSrgbOfLab(l, a, b, rgb)) {
      let inside = 0;
      let outside = 1;
      for (let k = 0; k < 20; k++) {
        const mid = (inside + outside) / 2;
        if (linearSrgbOfLab(l, a * mid, b * mid, rgb)) inside = mid;
        else outside = mid;
      }
      linearSrgbOfLab(l, a * inside, b * inside, rgb);
    }
    out[p] = toEncoded(rgb[0]!);
    out[p + 1] = toEncoded(rgb[1]!);
    out[p + 2] = toEncoded(rgb[2]!);
  }
  return out;
}

/** Relative luminance (PCS Y) of one stored pixel's colour values, per the file's profile. */
function luminanceReader(colour: SourceColour, depth: 8 | 16): (data: ArrayLike<number>, p: number) => number {
  const max = depth === 16 ? 65535 : 255;
  const profile = colour.profile;
  if (colour.space === 'gray') {
    const curve = profile?.kind === 'gray' ? profile.curve : srgbCurve;
    return (data, p) => curve.toLinear(data[p]! / max);
  }
  const [toXyz, curves]: [Mat3, readonly ToneCurve[]] =
    profile?.kind === 'rgb' ? [profile.toXyz, profile.curves] : [srgbToXyz, [srgbCurve, srgbCurve, srgbCurve]];
  const [c0, c1, c2] = curves as [ToneCurve, ToneCurve, ToneCurve];
  return (data, p) =>
    toXyz[3] * c0.toLinear(data[p]! / max) +
    toXyz[4] * c1.toLinear(data[p + 1]! / max) +
    toXyz[5] * c2.toLinear(data[p + 2]! / max);
}

/** The original's L* over `box` (oriented image px), row by row. */
export async function originalLightness(
  stored: StoredPixels,
  colour: SourceColour,
  orientation: number,
  box: Rect,
): Promise<Float32Array> {
  const w = box.x1 - box.x0;
  const out = new Float32Array(w * (box.y1 - box.y0));
  if (stored.space === 'cmyk') {
    const { rgb } = await renderSrgb(stored, colour, orientation);
    for (let y = box.y0, i = 0; y < box.y1; y++) {
      for (let x = box.x0; x < box.x1; x++, i++) {
        const p = (y * rgb.width + x) * 3;
        out[i] = labOfLinearSrgb(toLinear(rgb.data[p]!), toLinear(rgb.data[p + 1]!), toLinear(rgb.data[p + 2]!))[0];
      }
    }
    return out;
  }
  const luminance = luminanceReader(colour, stored.depth);
  const index = storedIndexer(orientation, stored.width, stored.height);
  for (let y = box.y0, i = 0; y < box.y1; y++) {
    for (let x = box.x0; x < box.x1; x++, i++)
      out[i] = lightnessOf(luminance(stored.data, index(x, y) * stored.channels));
  }
  return out;
}
