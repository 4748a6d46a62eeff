/**
 * Exporting an edit: the composited stored values in the source's format family (or the one asked for), with the
 * source's profile and metadata and the recipe (which records the output format, whether location data was removed
 * and anything the format could not keep).
 */
import type { EditRecipe } from '../engine/recipe';
import { recipeMetadata } from '../engine/recipe';
import type { ImageFormat, ImageSource } from './decode';
import { encodeStored, exportNotes, type ExportFormat, type JpegBlocks, wholeJpegNote } from './exportStored';
import { estimateJpegQuality } from './jpegQuality';
import { riffChunks } from './meta/webp';
import { converterFor, type StoredPixels } from './stored';
import { renderSrgb } from './render';

/** An edited image ready to export: the result's stored values and where they may differ from the source. */
export interface EditedImage {
  readonly image: StoredPixels;
  /** Stored-orientation mask (stored size), non-zero where a value may differ from the source. */
  readonly region: Uint8Array;
  readonly recipe: EditRecipe;
}

export interface ExportEditOptions {
  readonly format: ExportFormat;
  /** JPEG/WebP quality; default: a JPEG source's estimated quality, else 92 / 90. */
  readonly quality?: number;
  /** Drop GPS tags from EXIF and XMP (off by default; recorded in the recipe). */
  readonly removeLocation?: boolean;
  /** Leave the recipe out of the file (the photographer's metadata is still kept). */
  readonly withoutRecipe?: boolean;
  /** JPEG → JPEG: keep the untouched blocks' compressed data (default true); false re-encodes the whole image. */
  readonly keepBlocks?: boolean;
  /** WebP: lossless or not (default: lossless exactly when the source is a lossless WebP). */
  readonly lossless?: boolean;
}

/** The format family an edit of a `format` file is written in by default. */
export function defaultExportFormat(format: ImageFormat): ExportFormat {
  return format === 'jpeg' || format === 'webp' || format === 'tiff' ? format : 'png';
}

export const webpIptcNote = 'WebP has no IPTC block: the IPTC data (keywords, captions, credits) is not kept';

/** True when the file is a lossless WebP (its image chunk is VP8L). */
export function isLosslessWebp(bytes: Uint8Array): boolean {
  for (const chunk of riffChunks(bytes)) {
    if (chunk.fourcc === 'VP8L') return true;
    if (chunk.fourcc === 'VP8 ') return false;
  }
  return false;
}

/** WebP exports are lossless when the source is a lossless WebP. */
function losslessFor(source: ImageSource, format: ExportFormat): boolean {
  return format === 'webp' && source.info.format === 'webp' && isLosslessWebp(source.bytes);
}

/** True when a JPEG export of `source` keeps its untouched blocks (a JPEG source, unless turned off). */
export function keepsJpegBlocks(source: ImageSource, format: ExportFormat, keepBlocks = true): boolean {
  return keepBlocks && format === 'jpeg' && source.info.format === 'jpeg';
}

/** What `format` cannot keep of `source` (one line each), to show before writing; also recorded in the recipe. */
export function editExportNotes(source: ImageSource, format: ExportFormat, keepBlocks = true): string[] {
  const { space, depth } = source.colour;
  const notes = exportNotes({ space, depth, hasAlpha: source.info.hasAlpha }, format, losslessFor(source, format));
  if (format === 'webp' && source.meta.iptc) notes.push(webpIptcNote);
  if (keepsJpegBlocks(source, format, keepBlocks)) return notes.map((n) => (n === wholeJpegNote ? keptJpegNote : n));
  return notes;
}

/** The stored values converted into something `format` holds: CMYK → sRGB for PNG/WebP, gray → sRGB for WebP. */
async function fitForFormat(
  source: ImageSource,
  image: StoredPixels,
  format: ExportFormat,
): Promise<{ image: StoredPixels; icc: Uint8Array | null }> {
  const toSrgb =
    (image.space === 'cmyk' && format !== 'tiff' && format !== 'jpeg') || (image.space === 'gray' && format === 'webp');
  if (!toSrgb) return { image, icc: source.colour.icc };
  const rendered =
    image.space === 'cmyk'
      ? (await renderSrgb(image, source.colour, 1)).rgb.data
      : converterFor(source.colour).toSrgb8(image.data, image.depth, image.channels);
  const n = image.width * image.height;
  const channels = image.hasAlpha ? 4 : 3;
  const data = new Uint8Array(n * channels);
  const shift = image.depth === 16 ? 8 : 0;
  for (let i = 0; i < n; i++) {
    data[i * channels] = rendered[i * 3]!;
    data[i * channels + 1] = rendered[i * 3 + 1]!;
    data[i * channels + 2] = rendered[i * 3 + 2]!;
    if (image.hasAlpha) data[i * channels + 3] = image.data[i * image.channels + image.channels - 1]! >> shift;
  }
  const fitted: StoredPixels = {
    width: image.width,
    height: image.height,
    channels,
    colourChannels: 3,
    hasAlpha: image.hasAlpha,
    depth: 8,
    space: 'rgb',
    data,
  };
  return { image: fitted, icc: null };
}

/** Encodes an edit of `source` as `options.format`; returns the bytes, the notes and the recipe written. */
export async function exportEdit(
  source: ImageSource,
  edited: EditedImage,
  options: ExportEditOptions,
): Promise<{ bytes: Uint8Array; notes: string[]; recipe: EditRecipe }> {
  const { format } = options;
  const removeLocation = options.removeLocation ?? false;
  const keepBlocks = keepsJpegBlocks(source, format, options.keepBlocks);
  const notes = editExportNotes(source, format, keepBlocks);
  const recipe: EditRecipe = { ...edited.recipe, output: { format, removeLocation, notes } };
  const { image, icc } = await fitForFormat(source, edited.image, format);
  const quality =
    options.quality ?? (source.info.format === 'jpeg' && format === 'jpeg' ? estimateJpegQuality(source.bytes) : null);
  const { bytes, dropped, blocks } = await encodeStored(image, source.meta, icc, {
    format,
    text: options.withoutRecipe ? {} : recipeMetadata(recipe),
    removeLocation,
    lossless: options.lossless ?? losslessFor(source, format),
    ...(keepBlocks ? { jpegSource: { bytes: source.bytes, region: edited.region } } : {}),
    ...(quality === null || quality === undefined ? {} : { quality }),
  });
  const isJpegNote = (note: string): boolean => note === wholeJpegNote || note === keptJpegNote;
  const written = notes.map((note) => (isJpegNote(note) && blocks ? jpegBlocksNote(blocks) : note));
  return { bytes, notes: [...written, ...dropped.map((d) => `${d} could not be kept`)], recipe };
}

/** A JPEG source exported as JPEG, before writing: the blocks the edit does not touch are kept. */
export const keptJpegNote =
  'JPEG → JPEG: only the blocks the edit touches are re-encoded; the others keep the original\u2019s compressed data';

/** What a JPEG → JPEG export did with the source's compressed blocks, in one line. */
export function jpegBlocksNote(blocks: JpegBlocks): string {
  if (!blocks.kept) return `${wholeJpegNote} (${blocks.reason})`;
  return (
    `JPEG: ${blocks.mcusReencoded} of ${blocks.mcusTotal} blocks re-encoded with the original's tables; ` +
    'the others keep its compressed data bit for bit'
  );
}
