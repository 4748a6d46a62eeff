import sharp from 'sharp';
import { invalidArgument } from '../../shared/errors';
import type { GrayImage, RgbImage } from '../../shared/image/types';
import { addPngText } from './pngText';
import { buildXmp } from './xmpText';

/** The formats the editor writes. */
export type OutputFormat = 'png' | 'jpeg' | 'webp';

export interface EncodeOptions {
  readonly format: OutputFormat;
  /** JPEG/WebP quality 1–100 (defaults 92 / 90). */
  readonly quality?: number;
  /** Text stored in the file: PNG tEXt/iTXt chunks, XMP for JPEG and WebP. Read back with `readImageText`. */
  readonly metadata?: Readonly<Record<string, string>>;
  /** PNG only: zlib level 1 without adaptive filtering, for intermediates that are written often. */
  readonly fast?: boolean;
}

function checkSize(rgb: RgbImage, alpha: GrayImage | null): void {
  if (rgb.data.length !== rgb.width * rgb.height * 3) {
    throw invalidArgument(`the image buffer holds ${rgb.data.length} bytes, not ${rgb.width}×${rgb.height}×3`);
  }
  if (
    alpha &&
    (alpha.width !== rgb.width || alpha.height !== rgb.height || alpha.data.length !== rgb.width * rgb.height)
  ) {
    throw invalidArgument(`the alpha channel is ${alpha.width}×${alpha.height}, the image ${rgb.width}×${rgb.height}`);
  }
}

/** sharp's output as a plain `Uint8Array` over an ordinary (never shared) `ArrayBuffer`, without copying. */
function ownBytes(buffer: Buffer): Uint8Array<ArrayBuffer> {
  return new Uint8Array(buffer.buffer as ArrayBuffer, buffer.byteOffset, buffer.length);
}

function interleave(rgb: RgbImage, alpha: GrayImage): Uint8Array {
  const pixelCount = rgb.width * rgb.height;
  const rgba = new Uint8Array(pixelCount * 4);
  const src = rgb.data;
  const a = alpha.data;
  for (let i = 0, j = 0, k = 0; i < pixelCount; i++, j += 4, k += 3) {
    rgba[j] = src[k]!;
    rgba[j + 1] = src[k + 1]!;
    rgba[j + 2] = src[k + 2]!;
    rgba[j + 3] = a[i]!;
  }
  return rgba;
}

/**
 * Encodes 8-bit sRGB (plus optional alpha) as PNG, JPEG or WebP. JPEG has no alpha channel: `alpha` is ignored
 * there, so pass the composite you want to see.
 */
export async function encodeImage(
  rgb: RgbImage,
  alpha: GrayImage | null,
  options: EncodeOptions,
): Promise<Uint8Array<ArrayBuffer>> {
  checkSize(rgb, alpha);
  const { format, quality, metadata = {} } = options;
  if (quality !== undefined && !(Number.isInteger(quality) && quality >= 1 && quality <= 100)) {
    throw invalidArgument(`quality must be a whole number from 1 to 100, not ${quality}`);
  }
  const withAlpha = alpha !== null && format !== 'jpeg';
  const pixels = withAlpha ? interleave(rgb, alpha) : rgb.data;
  let pipeline = sharp(pixels, { raw: { width: rgb.width, height: rgb.height, channels: withAlpha ? 4 : 3 } });
  const hasText = Object.keys(metadata).length > 0;
  switch (format) {
    case 'png': {
      pipeline = pipeline.png(
        options.fast
          ? { compressionLevel: 1, adaptiveFiltering: false }
          : { compressionLevel: 6, adaptiveFiltering: true },
      );
      const png = await pipeline.toBuffer();
      return addPngText(ownBytes(png), metadata);
    }
    case 'jpeg':
      pipeline = pipeline.jpeg({
        quality: quality ?? 92,
        chromaSubsampling: (quality ?? 92) >= 90 ? '4:4:4' : '4:2:0',
      });
      break;
    case 'webp':
      pipeline = pipeline.webp({ quality: quality ?? 90 });
      break;
  }
  if (hasText) pipeline = pipeline.withXmp(buildXmp(metadata));
  return ownBytes(await pipeline.toBuffer());
}

/** Encodes a mask or edge map as an 8-bit single-channel (grayscale) PNG, with optional text metadata. */
export async function encodeGrayPng(
  gray: GrayImage,
  options: { readonly fast?: boolean; readonly metadata?: Readonly<Record<string, string>> } = {},
): Promise<Uint8Array<ArrayBuffer>> {
  if (gray.data.length !== gray.width * gray.height) {
    throw invalidArgument(`the mask buffer holds ${gray.data.length} bytes, not ${gray.width}×${gray.height}`);
  }
  const png = await sharp(gray.data, { raw: { width: gray.width, height: gray.height, channels: 1 } })
    .toColourspace('b-w')
    .png(
      options.fast
        ? { compressionLevel: 1, adaptiveFiltering: false }
        : { compressionLevel: 6, adaptiveFiltering: true },
    )
    .toBuffer();
  return addPngText(ownBytes(png), options.metadata ?? {});
}
