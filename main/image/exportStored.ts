/**
 * Writes an image in the file's own terms: its stored values (orientation, bit depth, gray/RGB/CMYK, alpha), its ICC
 * profile byte for byte, and its EXIF, XMP and IPTC, plus the recipe in XMP (and PNG text). Where a format cannot
 * hold what the source is (CMYK in PNG or WebP, 16 bits in JPEG or WebP, gray in WebP), the conversion is named in
 * {@link exportNotes} before anything is written and returned with the bytes.
 */
import sharp, { type Sharp } from 'sharp';
import { invalidArgument } from '../../shared/errors';
import { jpegMetadataSegments, withJpegSegments } from './meta/jpeg';
import type { OutputMetadata } from './meta/output';
import { withPngMetadata } from './meta/png';
import { metadataEntries, type SourceMetadata } from './meta/source';
import { removeGpsInPlace } from './meta/exif';
import { withoutGps } from './meta/tiffTags';
import { withWebpMetadata } from './meta/webp';
import { mergeXmp } from './meta/xmp';
import { keepSpace, type StoredPixels, type StoredSpace } from './stored';
import { encodeTiff } from './tiffWrite';
import { encodeJpegKeepingBlocks } from './jpeg';

/** The formats an edit is exported in. */
export type ExportFormat = 'png' | 'jpeg' | 'webp' | 'tiff';

export interface StoredExportOptions {
  readonly format: ExportFormat;
  /** JPEG/WebP quality; default: the source JPEG's estimated quality, else 92 (JPEG) / 90 (WebP). */
  readonly quality?: number;
  /** Text for the file: the recipe (XMP in IIR Studio's namespace; PNG text chunks too). */
  readonly text: Readonly<Record<string, string>>;
  /** Drop GPS tags from EXIF and XMP. */
  readonly removeLocation: boolean;
  /** WebP: write lossless (the default when the source WebP is lossless, so untouched pixels stay identical). */
  readonly lossless?: boolean;
  /** JPEG → JPEG: the source file and the stored-orientation region that may differ (for keeping blocks). */
  readonly jpegSource?: JpegSource;
}

/** A JPEG source of a JPEG export: its bytes, and the stored-px mask (non-zero = the pixel may differ). */
export interface JpegSource {
  readonly bytes: Uint8Array;
  readonly region: Uint8Array;
}

/** What the image is, for {@link exportNotes}. */
export interface StoredShape {
  readonly space: StoredSpace;
  readonly depth: 8 | 16;
  readonly hasAlpha: boolean;
}

/** The note of a JPEG written whole (replaced by the block counts when a JPEG source's blocks are kept). */
export const wholeJpegNote = 'JPEG is lossy: the whole image is re-encoded';

/** One line per way `format` cannot keep the source as it is; empty when it keeps everything. */
export function exportNotes(shape: StoredShape, format: ExportFormat, losslessWebp = false): string[] {
  const notes: string[] = [];
  if (shape.space === 'cmyk' && (format === 'png' || format === 'webp')) {
    notes.push(`${format.toUpperCase()} cannot hold CMYK: the image is converted to sRGB and its CMYK profile dropped`);
  }
  if (shape.space === 'gray' && format === 'webp') notes.push('WebP has no gray: the image is written as sRGB');
  if (shape.depth === 16 && (format === 'jpeg' || format === 'webp')) {
    notes.push(`${format === 'jpeg' ? 'JPEG' : 'WebP'} holds 8 bits per channel: the 16-bit values are rounded`);
  }
  if (shape.hasAlpha && format === 'jpeg') notes.push('JPEG has no transparency: the alpha channel is dropped');
  if (format === 'jpeg') notes.push(wholeJpegNote);
  if (format === 'webp' && !losslessWebp) notes.push('WebP is written lossy: the whole image is re-encoded');
  return notes;
}

/** The metadata the output carries. */
export function outputMetadata(
  meta: SourceMetadata,
  options: StoredExportOptions,
  icc: Uint8Array | null,
): OutputMetadata {
  return {
    icc,
    exif: meta.exif && options.removeLocation ? removeGpsInPlace(meta.exif) : meta.exif,
    xmp: mergeXmp(meta.xmp, options.text, options.removeLocation),
    iptc: meta.iptc,
    text: options.format === 'png' ? options.text : {},
  };
}

/** 16-bit values rounded to 8 bits. */
function to8(image: StoredPixels): StoredPixels {
  if (image.depth === 8) return image;
  return { ...image, depth: 8, data: Uint8Array.from(image.data, (v) => Math.round(v / 257)) };
}

function withoutAlpha(image: StoredPixels): StoredPixels {
  if (!image.hasAlpha) return image;
  const { channels, colourChannels } = image;
  const n = image.width * image.height;
  const data = image.depth === 16 ? new Uint16Array(n * colourChannels) : new Uint8Array(n * colourChannels);
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < colourChannels; c++) data[i * colourChannels + c] = image.data[i * channels + c]!;
  }
  return { ...image, channels: colourChannels, hasAlpha: false, data };
}

/** sharp over raw stored values (gray or RGB; CMYK goes through an uncompressed TIFF, which libvips reads as CMYK). */
async function rawPipeline(image: StoredPixels): Promise<Sharp> {
  if (image.space === 'cmyk') {
    const tiff = await encodeTiff(image, { icc: null, exif: null, xmp: null, iptc: null, text: {} }, null, {
      deflateLevel: null,
    });
    return sharp(tiff, { ignoreIcc: true }).pipelineColourspace('cmyk').toColourspace('cmyk');
  }
  const raw = { width: image.width, height: image.height, channels: image.channels as 1 | 2 | 3 | 4 };
  return sharp(image.data, { raw, limitInputPixels: false }).toColourspace(keepSpace(image.space, image.depth));
}

/**
 * Encodes stored values as `options.format` with the source's profile and metadata. `image` must already be in
 * a model the format holds (see {@link exportNotes} and `fitForFormat` in exportEdit.ts).
 */
export async function encodeStored(
  image: StoredPixels,
  meta: SourceMetadata,
  icc: Uint8Array | null,
  options: StoredExportOptions,
): Promise<{ bytes: Uint8Array; dropped: string[]; blocks?: JpegBlocks }> {
  const out = outputMetadata(meta, options, icc);
  switch (options.format) {
    case 'tiff': {
      const tree = meta.exifTree && (options.removeLocation ? withoutGps(meta.exifTree) : meta.exifTree);
      const exifTree = tree && { littleEndian: tree.littleEndian, ifd0: metadataEntries(tree.ifd0) };
      return { bytes: await encodeTiff(image, out, exifTree), dropped: [] };
    }
    case 'png': {
      const png = await (await rawPipeline(image)).png({ compressionLevel: 6, adaptiveFiltering: true }).toBuffer();
      return { bytes: withPngMetadata(png, out), dropped: [] };
    }
    case 'jpeg':
      return encodeJpegOutput(to8(withoutAlpha(image)), out, options.quality ?? 92, options.jpegSource);
    case 'webp': {
      const image8 = to8(image);
      const webpOptions = options.lossless ? { lossless: true } : { quality: options.quality ?? 90 };
      const webp = await (await rawPipeline(image8)).webp(webpOptions).toBuffer();
      const size = { width: image.width, height: image.height, hasAlpha: image.hasAlpha };
      return { bytes: withWebpMetadata(webp, out, size), dropped: [] };
    }
    default:
      throw invalidArgument(`cannot write ${String(options.format)}`);
  }
}

/** How a JPEG → JPEG export went: blocks kept (with counts), or the whole image re-encoded and why. */
export type JpegBlocks =
  | { readonly kept: true; readonly mcusTotal: number; readonly mcusReencoded: number }
  | { readonly kept: false; readonly reason: string };

/**
 * The JPEG output path. For a JPEG source (`jpegSource`), the coefficient-level writer keeps every block the edit
 * does not touch bit for bit and re-encodes only the touched ones with the source's tables (`image` is already in
 * the source's stored orientation and values, 8 bits, without alpha); the metadata segments are then the export's
 * (the recipe in XMP, GPS removed when asked). Any other source, or a JPEG the writer cannot keep (arithmetic,
 * lossless, 12-bit, CMYK), is re-encoded whole with sharp at `quality`.
 */
export async function encodeJpegOutput(
  image: StoredPixels,
  meta: OutputMetadata,
  quality: number,
  jpegSource?: JpegSource,
): Promise<{ bytes: Uint8Array; dropped: string[]; blocks?: JpegBlocks }> {
  const { segments, dropped } = jpegMetadataSegments(meta);
  let blocks: JpegBlocks | undefined;
  if (jpegSource) {
    const pixels = { data: image.data as Uint8Array, width: image.width, height: image.height };
    const kept = encodeJpegKeepingBlocks(
      jpegSource.bytes,
      { ...pixels, channels: image.channels as 1 | 3 | 4 },
      jpegSource.region,
    );
    if ('bytes' in kept) {
      blocks = { kept: true, mcusTotal: kept.mcusTotal, mcusReencoded: kept.mcusReencoded };
      return { bytes: withJpegSegments(kept.bytes, segments), dropped, blocks };
    }
    blocks = { kept: false, reason: kept.fallback };
  }
  const pipeline = await rawPipeline(image);
  const jpeg = await pipeline.jpeg({ quality, chromaSubsampling: quality >= 90 ? '4:4:4' : '4:2:0' }).toBuffer();
  return { bytes: withJpegSegments(jpeg, segments), dropped, ...(blocks ? { blocks } : {}) };
}
