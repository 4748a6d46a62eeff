/**
 * Colour conversion between a file's own profile and sRGB, relative colorimetric (for matrix/TRC profiles the
 * perceptual intent is the same transform): the working frame the model sees is sRGB; the model's result goes back
 * into the file's profile. `null` profile = the file has none and is treated as sRGB.
 */
import { invert, multiply, type ColourProfile, type Mat3, type ToneCurve } from './profile';

/** The rendering intent stated in the recipe. */
export const renderingIntent = 'relative-colorimetric';

/** sRGB's colorants adapted to D50 (Bradford), as in the ICC sRGB profile: linear sRGB → PCS XYZ. */
export const srgbToXyz: Mat3 = [
  0.4360747, 0.3850649, 0.1430804, 0.2225045, 0.7168786, 0.0606169, 0.0139322, 0.0971045, 0.7141733,
];

export const srgbCurve: ToneCurve = {
  toLinear: (x) => (x <= 0.04045 ? x / 12.92 : Math.pow((x + 0.055) / 1.055, 2.4)),
  toEncoded: (y) => (y <= 0.0031308 ? y * 12.92 : 1.055 * Math.pow(y, 1 / 2.4) - 0.055),
};

const clamp01 = (v: number): number => (v < 0 ? 0 : v > 1 ? 1 : v);

/** Encoded value → linear for every stored code value (2^depth entries). */
function decodeTable(curve: ToneCurve, depth: 8 | 16): Float32Array {
  const max = depth === 8 ? 255 : 65535;
  const table = new Float32Array(max + 1);
  for (let v = 0; v <= max; v++) table[v] = curve.toLinear(v / max);
  return table;
}

/** linear → encoded through a table over √linear, which keeps steep gamma inverses accurate near black. */
function encoder(curve: ToneCurve): (linear: number) => number {
  const n = 16384;
  const table = new Float32Array(n + 1);
  for (let i = 0; i <= n; i++) table[i] = clamp01(curve.toEncoded((i / n) * (i / n)));
  return (linear) => {
    const p = Math.sqrt(clamp01(linear)) * n;
    const i = p >= n ? n - 1 : Math.floor(p);
    return table[i]! + (table[i + 1]! - table[i]!) * (p - i);
  };
}

/** Converts between stored values of one profile and sRGB. */
export interface ColourConverter {
  /** Channels of colour the stored image has (alpha excluded): 1 gray, 3 RGB. */
  readonly colourChannels: 1 | 3;
  /** Stored values (`channels` per pixel, colour first) → 8-bit sRGB RGB. */
  toSrgb8(stored: Uint8Array | Uint16Array, depth: 8 | 16, channels: number): Uint8Array;
  /** sRGB (0–255 floats, 3 per pixel) → stored-space encoded values in [0, 1], `colourChannels` per pixel. */
  fromSrgb(srgb: Float32Array): Float32Array;
}

function rgbConverter(toXyz: Mat3, curves: readonly ToneCurve[]): ColourConverter {
  const toSrgb = multiply(invert(srgbToXyz), toXyz);
  const fromSrgb = invert(toSrgb);
  const encodeSrgb = encoder(srgbCurve);
  const encoders = curves.map(encoder);
  const srgbLinear = decodeTable(srgbCurve, 8);
  return {
    colourChannels: 3,
    toSrgb8(stored, depth, channels) {
      const tables = curves.map((c) => decodeTable(c, depth));
      const [t0, t1, t2] = tables as [Float32Array, Float32Array, Float32Array];
      const n = stored.length / channels;
      const out = new Uint8Array(n * 3);
      const m = toSrgb;
      for (let i = 0, p = 0, q = 0; i < n; i++, p += channels, q += 3) {
        const r = t0[stored[p]!]!;
        const g = t1[stored[p + 1]!]!;
        const b = t2[stored[p + 2]!]!;
        out[q] = Math.round(encodeSrgb(m[0] * r + m[1] * g + m[2] * b) * 255);
        out[q + 1] = Math.round(encodeSrgb(m[3] * r + m[4] * g + m[5] * b) * 255);
        out[q + 2] = Math.round(encodeSrgb(m[6] * r + m[7] * g + m[8] * b) * 255);
      }
      return out;
    },
    fromSrgb(srgb) {
      const out = new Float32Array(srgb.length);
      const m = fromSrgb;
      const [e0, e1, e2] = encoders as [(v: number) => number, (v: number) => number, (v: number) => number];
      const lin = (v: number): number => srgbLinearAt(srgbLinear, v);
      for (let p = 0; p < srgb.length; p += 3) {
        const r = lin(srgb[p]!);
        const g = lin(srgb[p + 1]!);
        const b = lin(srgb[p + 2]!);
        out[p] = e0(m[0] * r + m[1] * g + m[2] * b);
        out[p + 1] = e1(m[3] * r + m[4] * g + m[5] * b);
        out[p + 2] = e2(m[6] * r + m[7] * g + m[8] * b);
      }
      return out;
    },
  };
}

/** Linear light of a 0–255 float sRGB value, interpolated between the 256 code values. */
function srgbLinearAt(table: Float32Array, v: number): number {
  if (v <= 0) return 0;
  if (v >= 255) return 1;
  const i = Math.floor(v);
  return table[i]! + (table[i + 1]! - table[i]!) * (v - i);
}

function grayConverter(curve: ToneCurve): ColourConverter {
  const encodeSrgb = encoder(srgbCurve);
  const encodeGray = encoder(curve);
  const srgbLinear = decodeTable(srgbCurve, 8);
  const [wr, wg, wb] = [srgbToXyz[3], srgbToXyz[4], srgbToXyz[5]];
  return {
    colourChannels: 1,
    toSrgb8(stored, depth, channels) {
      const table = decodeTable(curve, depth);
      const n = stored.length / channels;
      const out = new Uint8Array(n * 3);
      for (let i = 0, p = 0, q = 0; i < n; i++, p += channels, q += 3) {
        const v = Math.round(encodeSrgb(table[stored[p]!]!) * 255);
        out[q] = v;
        out[q + 1] = v;
        out[q + 2] = v;
      }
      return out;
    },
    fromSrgb(srgb) {
      const out = new Float32Array(srgb.length / 3);
      for (let p = 0, q = 0; p < srgb.length; p += 3, q++) {
        const y =
          wr * srgbLinearAt(srgbLinear, srgb[p]!) +
          wg * srgbLinearAt(srgbLinear, srgb[p + 1]!) +
          wb * srgbLinearAt(srgbLinear, srgb[p + 2]!);
        out[q] = encodeGray(y);
      }
      return out;
    },
  };
}

/**
 * The converter for a stored image with `colourChannels` colour channels and `profile` (null: none, treated as
 * sRGB, or sRGB's gray). CMYK profiles are converted elsewhere (by libvips), so they are not accepted here.
 */
export function colourConverter(profile: ColourProfile | null, colourChannels: 1 | 3): ColourConverter {
  if (profile?.kind === 'cmyk') throw new Error('CMYK profiles are converted by libvips, not colourConverter');
  if (colourChannels === 1) return grayConverter(profile?.kind === 'gray' ? profile.curve : srgbCurve);
  if (profile?.kind === 'rgb') return rgbConverter(profile.toXyz, profile.curves);
  return rgbConverter(srgbToXyz, [srgbCurve, srgbCurve, srgbCurve]);
}
