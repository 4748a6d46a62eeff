import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { openImage } from '../../../main/image/decode';
import { encodeStored, type ExportFormat } from '../../../main/image/exportStored';
import { parseIccProfile } from '../../../main/image/icc/profile';
import { converterFor, sourceColour, type StoredPixels } from '../../../main/image/stored';
import { renderSrgb } from '../../../main/image/render';
import { adobeRgb, builtinProfile, grayGamma22, pattern, proPhoto } from './profiles';

const noMeta = { exif: null, exifTree: null, xmp: null, iptc: null, icc: null, orientation: 1 };

function storedImage(width: number, height: number, channels: number, depth: 8 | 16, gray = false): StoredPixels {
  const colourChannels = gray ? 1 : 3;
  return {
    width,
    height,
    channels,
    colourChannels,
    hasAlpha: channels > colourChannels,
    depth,
    space: gray ? 'gray' : 'rgb',
    data: pattern(width, height, channels, depth),
  };
}

/** A file of `image`'s stored values with `icc` embedded as-is. */
async function fileWith(image: StoredPixels, icc: Uint8Array | null, format: ExportFormat): Promise<Uint8Array> {
  const options = { format, text: {}, removeLocation: false, quality: 100 };
  return (await encodeStored(image, { ...noMeta, icc }, icc, options)).bytes;
}

function maxDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i]! - b[i]!));
  return max;
}

describe('colour profiles', () => {
  it('parses matrix/TRC RGB, gray and CMYK profiles and names them', async () => {
    expect(parseIccProfile(adobeRgb)).toMatchObject({ kind: 'rgb', description: 'Adobe RGB (1998) compatible (test)' });
    expect(parseIccProfile(proPhoto).kind).toBe('rgb');
    expect(parseIccProfile(grayGamma22).kind).toBe('gray');
    expect(parseIccProfile(await builtinProfile('p3')).kind).toBe('rgb');
    expect(parseIccProfile(await builtinProfile('cmyk')).kind).toBe('cmyk');
  });

  it.each([
    ['Adobe RGB', adobeRgb],
    ['ProPhoto', proPhoto],
    ['Display P3', null],
  ] as const)('converts %s to sRGB as lcms does (within 1/255)', async (_, profile) => {
    const icc = profile ?? (await builtinProfile('p3'));
    const file = await fileWith(storedImage(96, 64, 3, 8), icc, 'png');
    const ours = await (await openImage(file)).decode();
    const lcms = await sharp(file).toColourspace('srgb').raw().toBuffer();
    expect(maxDifference(ours.rgb.data, lcms)).toBeLessThanOrEqual(1);
  });

  it('keeps the profile byte for byte and the stored values exactly (PNG and TIFF, 8 and 16 bits)', async () => {
    for (const format of ['png', 'tiff'] as const) {
      for (const depth of [8, 16] as const) {
        const image = storedImage(40, 30, 4, depth);
        const file = await fileWith(image, proPhoto, format);
        const source = await openImage(file);
        expect(Buffer.compare(Buffer.from(source.colour.icc!), Buffer.from(proPhoto))).toBe(0);
        expect(source.colour).toMatchObject({ depth, space: 'rgb', warning: null });
        const stored = await source.decodeStored();
        expect(maxDifference(stored.data, image.data)).toBe(0);
      }
    }
  });

  it('round-trips sRGB through a wide-gamut profile', () => {
    const colour = { space: 'rgb', depth: 16, icc: proPhoto, profile: parseIccProfile(proPhoto) } as const;
    const converter = converterFor({ ...colour, profileName: 'ProPhoto', warning: null });
    const srgb = Float32Array.from({ length: 256 * 3 }, (_, i) => (i * 37) % 256);
    const encoded = converter.fromSrgb(srgb);
    const stored = Uint16Array.from(encoded, (v) => Math.round(v * 65535));
    const back = converter.toSrgb8(stored, 16, 3);
    expect(maxDifference(back, srgb)).toBeLessThanOrEqual(1);
  });

  it('treats an image with a damaged profile as sRGB and says so in one line', async () => {
    const damaged = proPhoto.slice();
    damaged.set([0x41, 0x42, 0x43, 0x44], 36); // the "acsp" signature
    const image = storedImage(16, 16, 3, 8);
    for (const format of ['png', 'tiff', 'jpeg'] as const) {
      const file = await fileWith(image, damaged, format);
      const source = await openImage(file, { name: `bad.${format}` });
      expect(source.colour.warning).toBe(
        `the colour profile in bad.${format} cannot be used (its header lacks the "acsp" signature); ` +
          'the image is treated as sRGB',
      );
      expect(Buffer.from(source.colour.icc!).equals(Buffer.from(damaged))).toBe(true);
      const decoded = await source.decode();
      const stored = await source.decodeStored();
      expect(maxDifference(decoded.rgb.data, stored.data)).toBe(0);
    }
  });

  it.each([1, 2, 3, 4, 5, 6, 7, 8])(
    'orients stored pixels as libvips does for EXIF orientation %i',
    async (orientation) => {
      const image = storedImage(7, 5, 3, 8);
      const file = await sharp(image.data, { raw: { width: 7, height: 5, channels: 3 } })
        .withMetadata({ orientation })
        .png()
        .toBuffer();
      const oriented = await sharp(file).autoOrient().raw().toBuffer({ resolveWithObject: true });
      const colour = sourceColour('x', await sharp(file).metadata());
      const rendered = await renderSrgb(image, colour, orientation);
      expect([rendered.rgb.width, rendered.rgb.height]).toEqual([oriented.info.width, oriented.info.height]);
      expect(maxDifference(rendered.rgb.data, oriented.data)).toBe(0);
    },
  );
});
