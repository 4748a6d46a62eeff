import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { encodeStored, type ExportFormat } from '../../../main/image/exportStored';
import type { StoredPixels } from '../../../main/image/stored';
import { ImageStore } from '../../../main/services/images';
import { displayP3Jpeg } from '../../helpers/photoFiles';
import { adobeRgb, pattern, proPhoto } from '../image/profiles';

const noMeta = { exif: null, exifTree: null, xmp: null, iptc: null, icc: null, orientation: 1 };

/** A file of a colourful pattern's stored values (`depth` bits) with `icc` embedded as-is. */
async function fileWith(icc: Uint8Array, depth: 8 | 16, format: ExportFormat): Promise<Uint8Array> {
  const image: StoredPixels = {
    ...{ width: 96, height: 64, channels: 3, colourChannels: 3, hasAlpha: false, space: 'rgb' },
    depth,
    data: pattern(96, 64, 3, depth),
  };
  const options = { format, text: {}, removeLocation: false };
  return (await encodeStored(image, { ...noMeta, icc }, icc, options)).bytes;
}

function maxDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i]! - b[i]!));
  return max;
}

/** sRGB's D50-adapted colorants (as lcms builds its sRGB profile), the columns of RGB → XYZ. */
const srgbD50 = [
  [0.436066, 0.385147, 0.143066],
  [0.222488, 0.716873, 0.060608],
  [0.013916, 0.097076, 0.714096],
];

/** 3×3 inverse (Cramer). */
function invert(m: number[][]): number[][] {
  const [[a, b, c], [d, e, f], [g, h, i]] = m as [
    [number, number, number],
    [number, number, number],
    [number, number, number],
  ];
  const det = a * (e * i - f * h) - b * (d * i - f * g) + c * (d * h - e * g);
  return [
    [(e * i - f * h) / det, (c * h - b * i) / det, (b * f - c * e) / det],
    [(f * g - d * i) / det, (a * i - c * g) / det, (c * d - a * f) / det],
    [(d * h - e * g) / det, (b * g - a * h) / det, (a * e - b * d) / det],
  ];
}

/**
 * An independent oracle for 16-bit ProPhoto: the profile's own numbers (gamma 461/256 as stored, colorants as
 * s15Fixed16) in floating point to XYZ, to sRGB, clipped, gamma-encoded and rounded. (libvips's 16-bit ICC import
 * lands 4–6 levels away from this exact maths, so it cannot be the oracle here; at 8 bits it agrees within 1.)
 */
function proPhotoToSrgb(values: Uint16Array): Uint8Array {
  const q = (v: number): number => Math.round(v * 65536) / 65536;
  const colorants = [
    [q(0.7977), q(0.13518), q(0.03131)],
    [q(0.28804), q(0.71187), q(0.00009)],
    [0, 0, q(0.82521)],
  ];
  const toSrgb = invert(srgbD50);
  const gamma = 461 / 256;
  const out = new Uint8Array(values.length);
  for (let p = 0; p < values.length; p += 3) {
    const lin = [0, 1, 2].map((c) => (values[p + c]! / 65535) ** gamma);
    const xyz = colorants.map((row) => row[0]! * lin[0]! + row[1]! * lin[1]! + row[2]! * lin[2]!);
    for (let c = 0; c < 3; c++) {
      const v = Math.min(
        1,
        Math.max(0, toSrgb[c]![0]! * xyz[0]! + toSrgb[c]![1]! * xyz[1]! + toSrgb[c]![2]! * xyz[2]!),
      );
      out[p + c] = Math.round(255 * (v <= 0.0031308 ? 12.92 * v : 1.055 * v ** (1 / 2.4) - 0.055));
    }
  }
  return out;
}

describe('what the editor shows', () => {
  it.each([
    ['a Display P3 JPEG', 'p3-jpeg', 8],
    ['an Adobe RGB PNG', 'adobe-png', 8],
    ['a 16-bit ProPhoto TIFF', 'prophoto-tiff', 16],
  ] as const)('%s: the page gets an sRGB rendering within 1/255 of lcms or exact maths', async (_, kind, depth) => {
    const bytes =
      kind === 'p3-jpeg'
        ? new Uint8Array(await displayP3Jpeg())
        : await fileWith(kind === 'adobe-png' ? adobeRgb : proPhoto, depth, kind === 'adobe-png' ? 'png' : 'tiff');
    const store = new ImageStore();
    const info = await store.open({ bytes, name: 'photo' });
    expect(info.colour).toMatchObject({ depth });
    // The bytes the page fetches by id (`app:` scheme or GET /image/:id): a PNG with no profile, i.e. sRGB.
    const png = await store.png(info.id);
    const shown = await sharp(png).metadata();
    expect([shown.icc, shown.depth, shown.space]).toEqual([undefined, 'uchar', 'srgb']);
    const page = await sharp(png).raw().toBuffer();
    const lcms =
      depth === 16
        ? proPhotoToSrgb(pattern(96, 64, 3, 16) as Uint16Array)
        : await sharp(bytes).toColourspace('srgb').removeAlpha().raw().toBuffer();
    // The wide-gamut file really is not sRGB: showing its values as they are would be off by far more.
    const asIs = await sharp(bytes, { ignoreIcc: true }).toColourspace('srgb').raw({ depth: 'uchar' }).toBuffer();
    expect(maxDifference(asIs, lcms)).toBeGreaterThan(8);
    expect(maxDifference(page, lcms)).toBeLessThanOrEqual(1);
  });
});
