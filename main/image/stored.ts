/**
 * The file's own pixels, as stored: no orientation applied, no colour conversion, the stored bit depth (8 or 16) and
 * channel layout (gray, RGB or CMYK, plus alpha). The compositor writes the edit into these values, so everything
 * outside the blend region is the file's own data (architecture.md §3, steps 1 and 9).
 */
import sharp, { type Metadata, type Sharp } from 'sharp';
import { IirError } from '../../shared/errors';
import { inflateSync } from 'node:zlib';
import { chunks } from './pngText';
import { colourConverter, type ColourConverter } from './icc/convert';
import { IccError, parseIccProfile, type ColourProfile } from './icc/profile';

/** What a file's pixels are: colour model and bit depth. */
export type StoredSpace = 'rgb' | 'gray' | 'cmyk';

/** Interleaved stored values, row-major, in the file's stored orientation. */
export interface StoredPixels {
  readonly width: number;
  readonly height: number;
  /** Channels per pixel: colour channels, then alpha when `hasAlpha`. */
  readonly channels: number;
  readonly colourChannels: 1 | 3 | 4;
  readonly hasAlpha: boolean;
  readonly depth: 8 | 16;
  readonly space: StoredSpace;
  readonly data: Uint8Array | Uint16Array;
}

/** The file's colour: its profile bytes as embedded, and how the app converts to sRGB. */
export interface SourceColour {
  readonly space: StoredSpace;
  readonly depth: 8 | 16;
  /** The embedded ICC profile, byte for byte, or null. */
  readonly icc: Uint8Array | null;
  /** The parsed profile, or null when there is none or it could not be used (then the image is treated as sRGB). */
  readonly profile: ColourProfile | null;
  /** Name of the profile for the recipe and messages ("sRGB (assumed)" without one). */
  readonly profileName: string;
  /** One line when the profile was damaged or unsupported and the image is treated as sRGB; else null. */
  readonly warning: string | null;
}

/** Stored colour model and depth from sharp's header read. */
export function storedLayout(metadata: Metadata): { space: StoredSpace; depth: 8 | 16 } {
  const depth = metadata.depth === 'ushort' ? 16 : 8;
  if (metadata.space === 'cmyk') return { space: 'cmyk', depth: 8 };
  if (metadata.space === 'b-w' || metadata.space === 'grey16') return { space: 'gray', depth };
  return { space: 'rgb', depth };
}

/** The profile in a PNG's iCCP chunk: libpng hides a profile it finds invalid, which the app must still report. */
function pngProfile(bytes: Uint8Array): Uint8Array | null {
  for (const chunk of chunks(bytes)) {
    if (chunk.type === 'IDAT') return null;
    if (chunk.type !== 'iCCP') continue;
    const nameEnd = chunk.data.indexOf(0);
    try {
      return new Uint8Array(inflateSync(chunk.data.subarray(nameEnd + 2)));
    } catch {
      return null;
    }
  }
  return null;
}

/** Reads the file's profile: kept byte for byte; parsed when the app can convert with it. */
export function sourceColour(name: string, metadata: Metadata, bytes?: Uint8Array): SourceColour {
  const { space, depth } = storedLayout(metadata);
  const icc = metadata.icc
    ? new Uint8Array(metadata.icc)
    : metadata.format === 'png' && bytes
      ? pngProfile(bytes)
      : null;
  if (!icc) {
    const assumed =
      space === 'cmyk' ? 'generic CMYK (assumed)' : space === 'gray' ? 'sRGB gray (assumed)' : 'sRGB (assumed)';
    return { space, depth, icc, profile: null, profileName: assumed, warning: null };
  }
  let profile: ColourProfile;
  try {
    profile = parseIccProfile(icc);
    const expected = space === 'rgb' ? 'rgb' : space;
    if (profile.kind !== expected) {
      throw new IccError(`it is a ${profile.kind.toUpperCase()} profile on a ${space.toUpperCase()} image`);
    }
  } catch (error) {
    if (!(error instanceof IccError)) throw error;
    const warning = `the colour profile in ${name} cannot be used (${error.message}); the image is treated as sRGB`;
    return { space, depth, icc, profile: null, profileName: 'sRGB (profile unusable)', warning };
  }
  return { space, depth, icc, profile, profileName: profile.description, warning: null };
}

/** The converter between the stored values and sRGB (not for CMYK, which libvips converts). */
export function converterFor(colour: SourceColour): ColourConverter {
  return colourConverter(colour.profile, colour.space === 'gray' ? 1 : 3);
}

/** sharp's colour space name that keeps the stored values as they are. */
export function keepSpace(space: StoredSpace, depth: 8 | 16): 'b-w' | 'grey16' | 'srgb' | 'rgb16' | 'cmyk' {
  if (space === 'cmyk') return 'cmyk';
  if (space === 'gray') return depth === 16 ? 'grey16' : 'b-w';
  return depth === 16 ? 'rgb16' : 'srgb';
}

/** A sharp pipeline over the file that neither converts colour nor (unless asked) orients. */
export function storedPipeline(bytes: Uint8Array, limitInputPixels: number, autoOrient = false): Sharp {
  return sharp(bytes, { autoOrient, failOn: 'error', limitInputPixels, ignoreIcc: true });
}

/** Runs `pipeline` to raw stored values of `colour`'s space and depth. */
export async function toStoredRaw(
  pipeline: Sharp,
  colour: Pick<SourceColour, 'space' | 'depth'>,
): Promise<StoredPixels> {
  // sharp's raw output keeps only the first band of an 8-bit gray image, alpha included: read gray as 16 bits
  // (libvips scales by 257) and shift back.
  const wide = colour.space === 'gray' ? 16 : colour.depth;
  const target = keepSpace(colour.space, wide);
  if (colour.space === 'cmyk') pipeline = pipeline.pipelineColourspace('cmyk');
  const { data, info } = await pipeline
    .toColourspace(target)
    .raw({ depth: wide === 16 ? 'ushort' : 'uchar' })
    .toBuffer({ resolveWithObject: true });
  const colourChannels = colour.space === 'gray' ? 1 : colour.space === 'cmyk' ? 4 : 3;
  if (info.channels !== colourChannels && info.channels !== colourChannels + 1) {
    throw new IirError('internal', `decoded ${info.channels} channels for a ${colour.space} image`);
  }
  let values: Uint8Array | Uint16Array =
    wide === 16
      ? new Uint16Array(data.buffer, data.byteOffset, data.length / 2)
      : new Uint8Array(data.buffer, data.byteOffset, data.length);
  if (wide !== colour.depth) values = Uint8Array.from(values, (v) => v >> 8);
  return {
    width: info.width,
    height: info.height,
    channels: info.channels,
    colourChannels,
    hasAlpha: info.channels > colourChannels,
    depth: colour.depth,
    space: colour.space,
    data: values,
  };
}
