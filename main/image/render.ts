/**
 * An sRGB rendering of stored values for the screen and the segmentation models: oriented as the file says,
 * converted with the file's profile (relative colorimetric), 8 bits, alpha apart.
 */
import sharp from 'sharp';
import type { GrayImage, RgbImage } from '../../shared/image/types';
import { storedIndexer } from './orientation';
import { converterFor, type SourceColour, type StoredPixels } from './stored';
import { encodeTiff } from './tiffWrite';

async function cmykToSrgb(stored: StoredPixels, icc: Uint8Array | null): Promise<Uint8Array> {
  const tiff = await encodeTiff(stored, { icc, exif: null, xmp: null, iptc: null, text: {} }, null, {
    deflateLevel: null,
  });
  const { data } = await sharp(tiff).toColourspace('srgb').removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return new Uint8Array(data.buffer, data.byteOffset, data.length);
}

/** `stored` as oriented 8-bit sRGB with its alpha channel (8 bits) apart. */
export async function renderSrgb(
  stored: StoredPixels,
  colour: SourceColour,
  orientation: number,
): Promise<{ rgb: RgbImage; alpha: GrayImage | null }> {
  const flat =
    stored.space === 'cmyk'
      ? await cmykToSrgb(stored, colour.icc)
      : converterFor(colour).toSrgb8(stored.data, stored.depth, stored.channels);
  const swap = orientation >= 5;
  const width = swap ? stored.height : stored.width;
  const height = swap ? stored.width : stored.height;
  const index = storedIndexer(orientation, stored.width, stored.height);
  const shift = stored.depth === 16 ? 8 : 0;
  const rgb = orientation === 1 ? flat : new Uint8Array(width * height * 3);
  const alpha = stored.hasAlpha ? new Uint8Array(width * height) : null;
  for (let y = 0, o = 0; y < height; y++) {
    for (let x = 0; x < width; x++, o++) {
      const i = orientation === 1 ? o : index(x, y);
      if (orientation !== 1) {
        rgb[o * 3] = flat[i * 3]!;
        rgb[o * 3 + 1] = flat[i * 3 + 1]!;
        rgb[o * 3 + 2] = flat[i * 3 + 2]!;
      }
      if (alpha) alpha[o] = stored.data[i * stored.channels + stored.channels - 1]! >> shift;
    }
  }
  return { rgb: { width, height, data: rgb }, alpha: alpha ? { width, height, data: alpha } : null };
}
