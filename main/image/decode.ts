import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import sharp, { type Metadata } from 'sharp';
import { IirError, invalidArgument } from '../../shared/errors';
import type { GrayImage, Rect, RgbImage } from '../../shared/image/types';
import { decodePixels } from './decodePixels';
import { describeReadError } from './fileErrors';
import { sourceMetadata, type SourceMetadata } from './meta/source';
import { sourceColour, storedPipeline, toStoredRaw, type SourceColour, type StoredPixels } from './stored';

/** The formats the editor reads. AVIF is HEIF with AV1 compression; other HEIF (HEIC) is refused. */
export type ImageFormat = 'jpeg' | 'png' | 'webp' | 'tiff' | 'avif' | 'gif';

/** Decompression-bomb guard: headers claiming more pixels than this are refused before any pixel is decoded. */
export const maxImagePixels = 100_000_000;

/** What the header says, with EXIF orientation already applied to `width`/`height`. */
export interface ImageHeader {
  readonly format: ImageFormat;
  /** Width in image pixels after EXIF orientation. */
  readonly width: number;
  /** Height in image pixels after EXIF orientation. */
  readonly height: number;
  readonly hasAlpha: boolean;
  /** EXIF orientation tag (1–8), 1 when absent. */
  readonly orientation: number;
}

/** Pixels of a decoded image as 8-bit sRGB with the alpha channel (if any) kept separately. */
export interface DecodedImage {
  readonly rgb: RgbImage;
  readonly alpha: GrayImage | null;
  readonly format: ImageFormat;
  /** Width of `rgb` (the decoded size: the full image, or the requested frame). */
  readonly width: number;
  /** Height of `rgb`. */
  readonly height: number;
  /** The full-resolution, oriented size of the file's image. */
  readonly original: { readonly width: number; readonly height: number };
}

/**
 * A region of the oriented original (`cropImagePx`, default the whole image) decoded straight to `width`×`height`
 * (aspect not preserved). JPEG and WebP shrink on load, so a 12 MP photo reaches a 512-px frame without a
 * full-resolution decode.
 */
export interface FrameRequest {
  readonly width: number;
  readonly height: number;
  readonly cropImagePx?: Rect;
}

/** An opened, validated image file: its header is read; pixels decode on demand, at full size or as a frame. */
export interface ImageSource {
  /** How messages name this image (the path's file name, or "the input"). */
  readonly name: string;
  readonly info: ImageHeader;
  /** The file's stored colour model, depth and profile (kept byte for byte for the output). */
  readonly colour: SourceColour;
  /** The file's bytes, as read. */
  readonly bytes: Uint8Array;
  /** EXIF, XMP, IPTC, profile and orientation, kept on export. */
  readonly meta: SourceMetadata;
  /** Decodes the full-resolution image, or the requested frame, as oriented 8-bit sRGB (converted with the profile). */
  decode(frame?: FrameRequest): Promise<DecodedImage>;
  /** Decodes the stored values: stored orientation, no colour conversion, stored depth. */
  decodeStored(): Promise<StoredPixels>;
}

export interface OpenImageOptions {
  /** Name used in messages for byte input (default "the input"). */
  readonly name?: string;
}

const formatNames: Record<ImageFormat, string> = {
  jpeg: 'JPEG',
  png: 'PNG',
  webp: 'WebP',
  tiff: 'TIFF',
  avif: 'AVIF',
  gif: 'GIF',
};
const supportedList = Object.values(formatNames).join(', ');

/** Reads and validates an image's header: refuses missing, empty, non-image, unsupported and oversized input. */
export async function openImage(input: string | Uint8Array, options: OpenImageOptions = {}): Promise<ImageSource> {
  const name = typeof input === 'string' ? basename(input) : (options.name ?? 'the input');
  const bytes = typeof input === 'string' ? await readInput(input) : input;
  if (bytes.length === 0) throw invalidArgument(`${name} is empty (0 bytes)`);

  let metadata: Metadata;
  try {
    metadata = await sharp(bytes, { limitInputPixels: false }).metadata();
  } catch (error) {
    if (sniffFormat(bytes)) throw corrupt(name, error);
    throw invalidArgument(
      `${name} is not an image (${looksLikeText(bytes) ? 'it looks like text' : 'unrecognised format'})`,
    );
  }
  const format = toImageFormat(metadata);
  if (!format) {
    throw invalidArgument(`${name} is in ${metadata.format.toUpperCase()} format; supported formats: ${supportedList}`);
  }
  const pixels = metadata.width * metadata.height;
  if (pixels > maxImagePixels) {
    throw invalidArgument(
      `${name} is ${metadata.width}×${metadata.height} (${(pixels / 1e6).toFixed(1)} megapixels); ` +
        `the limit is ${maxImagePixels / 1e6} megapixels`,
    );
  }
  const info: ImageHeader = {
    format,
    width: metadata.autoOrient.width,
    height: metadata.autoOrient.height,
    hasAlpha: metadata.hasAlpha,
    orientation: metadata.orientation ?? 1,
  };
  const colour = sourceColour(name, metadata, bytes);
  return {
    name,
    info,
    colour,
    bytes,
    meta: sourceMetadata(metadata, bytes),
    decode: (frame) => decodePixels(bytes, name, info, colour, frame),
    decodeStored: () =>
      toStoredRaw(storedPipeline(bytes, maxImagePixels), colour).catch((error: unknown) => {
        throw corrupt(name, error);
      }),
  };
}

/** Opens and decodes in one call: full resolution, or the requested frame. */
export async function decodeImage(
  input: string | Uint8Array,
  options: OpenImageOptions & { frame?: FrameRequest } = {},
): Promise<DecodedImage> {
  const source = await openImage(input, options);
  return source.decode(options.frame);
}

async function readInput(path: string): Promise<Uint8Array> {
  try {
    return await readFile(path);
  } catch (error) {
    throw describeReadError(path, error);
  }
}

function toImageFormat(metadata: Metadata): ImageFormat | null {
  switch (metadata.format) {
    case 'jpeg':
    case 'png':
    case 'webp':
    case 'tiff':
    case 'gif':
      return metadata.format;
    case 'heif':
      return metadata.compression === 'av1' ? 'avif' : null;
    default:
      return null;
  }
}

export function corrupt(name: string, error: unknown): IirError {
  const reason = (error instanceof Error ? (error.message.split('\n')[0] ?? '') : String(error)).trim();
  return new IirError('invalid_argument', `${name} is truncated or corrupt (${reason})`, { cause: error });
}

function startsWith(bytes: Uint8Array, offset: number, ascii: string): boolean {
  if (bytes.length < offset + ascii.length) return false;
  for (let i = 0; i < ascii.length; i++) if (bytes[offset + i] !== ascii.charCodeAt(i)) return false;
  return true;
}

/** The format a file's magic bytes announce, so a damaged file is called damaged rather than "not an image". */
function sniffFormat(bytes: Uint8Array): ImageFormat | null {
  if (bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'jpeg';
  if (startsWith(bytes, 0, '\x89PNG\r\n\x1a\n')) return 'png';
  if (startsWith(bytes, 0, 'GIF87a') || startsWith(bytes, 0, 'GIF89a')) return 'gif';
  if (startsWith(bytes, 0, 'RIFF') && startsWith(bytes, 8, 'WEBP')) return 'webp';
  if (startsWith(bytes, 0, 'II*\0') || startsWith(bytes, 0, 'MM\0*')) return 'tiff';
  if (startsWith(bytes, 4, 'ftypavif') || startsWith(bytes, 4, 'ftypavis')) return 'avif';
  return null;
}

/** True when the first bytes are valid UTF-8 without control characters other than whitespace. */
function looksLikeText(bytes: Uint8Array): boolean {
  const head = bytes.subarray(0, 1024);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(head);
  } catch {
    // A multi-byte character cut at the 1024-byte boundary is still text.
    if (head.length < 1024) return false;
    text = new TextDecoder('utf-8').decode(head.subarray(0, 1020));
  }
  // eslint-disable-next-line no-control-regex
  return !/[\u0000-\u0008\u000e-\u001f\u007f]/.test(text);
}
