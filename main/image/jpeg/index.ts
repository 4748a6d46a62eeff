import { invalidArgument } from '../../../shared/errors';
import { readJpeg } from './decode';
import { parseJpeg } from './parse';
import { CoefficientRangeError } from './entropy';
import { McuEncoder, type Pixels } from './mcuEncoder';
import { JpegUnsupportedError, type JpegFrame } from './types';
import { writeBaseline } from './write';

export { readJpeg } from './decode';
export { writeBaseline } from './write';
export { JpegUnsupportedError, type JpegFrame, type JpegComponent } from './types';
export type { Pixels } from './mcuEncoder';

/** The block-keeping JPEG, with how many of its MCUs were re-encoded from pixels. */
export interface KeptBlocksJpeg {
  readonly bytes: Uint8Array;
  readonly mcusTotal: number;
  readonly mcusReencoded: number;
}

/** Why the caller must re-encode the whole image instead, as one plain sentence. */
export interface JpegFallback {
  readonly fallback: string;
}

/**
 * Writes an edited JPEG without recompressing what the edit did not touch: every MCU with no non-zero `region`
 * pixel keeps the source's quantized DCT coefficients exactly; the others are re-encoded from `composited` (same
 * quantization tables and sampling). Output is sequential with optimised Huffman tables and the source's APPn /
 * COM segments (EXIF, ICC, XMP, comments) byte for byte; what followed the source's end marker (MPF secondary
 * images: gain maps, depth maps, previews) is appended unchanged, and the MPF segment's offsets follow it.
 *
 * Decoders that smooth chroma across block borders (libjpeg's default "fancy" upsampling, hence sharp and most
 * viewers) mix a re-encoded MCU's chroma into the outermost pixel row or column of its untouched neighbours in
 * 4:2:0 / 4:2:2 / 4:4:0 files, by a few levels; their coefficients, and any block-exact decoding, stay identical.
 *
 * `composited` and `region` are in the source's stored orientation. Returns `{ fallback }` for a JPEG this cannot
 * keep (arithmetic, lossless, 12-bit, or a colour space it cannot re-encode into); throws an `invalid_argument`
 * error for truncated or damaged data and for pixels or a region that do not match the source's size.
 */
export function encodeJpegKeepingBlocks(
  source: Uint8Array,
  composited: Pixels,
  region: Uint8Array,
): KeptBlocksJpeg | JpegFallback {
  let frame: JpegFrame;
  try {
    frame = readJpeg(source);
  } catch (error) {
    if (error instanceof JpegUnsupportedError) return { fallback: error.message };
    throw error;
  }
  checkInputs(frame, composited, region);
  const plan = planFrame(frame, region);
  if ('fallback' in plan) return plan;
  if (plan.mcusReencoded > 0) {
    const encoder = new McuEncoder(frame, composited);
    const { touched } = plan;
    for (let i = 0; i < touched.length; i++) if (touched[i]) encoder.encode(i % frame.mcusX, (i / frame.mcusX) | 0);
  }
  try {
    return { bytes: writeBaseline(frame), mcusTotal: plan.mcusTotal, mcusReencoded: plan.mcusReencoded };
  } catch (error) {
    if (error instanceof CoefficientRangeError) return { fallback: `The source JPEG is damaged: ${error.message}.` };
    throw error;
  }
}

/** What block-keeping export will do with a JPEG, before writing: the MCU counts, or why it must re-encode whole. */
export type JpegBlockPlan = { readonly mcusTotal: number; readonly mcusReencoded: number } | JpegFallback;

/**
 * Plans {@link encodeJpegKeepingBlocks} from the file's headers alone (no coefficients decoded): how many MCUs the
 * stored-orientation `region` touches, or the fallback sentence. Throws `invalid_argument` for a damaged file.
 */
export function planJpegBlocks(source: Uint8Array, region: Uint8Array): JpegBlockPlan {
  let frame: JpegFrame;
  try {
    frame = parseJpeg(source);
  } catch (error) {
    if (error instanceof JpegUnsupportedError) return { fallback: error.message };
    throw error;
  }
  if (region.length !== frame.width * frame.height) {
    throw invalidArgument(`the region has ${region.length} bytes; the JPEG is ${frame.width}×${frame.height}`);
  }
  const plan = planFrame(frame, region);
  return 'fallback' in plan ? plan : { mcusTotal: plan.mcusTotal, mcusReencoded: plan.mcusReencoded };
}

function planFrame(
  frame: JpegFrame,
  region: Uint8Array,
): { touched: Uint8Array; mcusTotal: number; mcusReencoded: number } | JpegFallback {
  const blocksPerMcu = frame.components.reduce((n, c) => n + c.h * c.v, 0);
  if (frame.components.length > 1 && blocksPerMcu > 10) {
    // Legal only in one-component scans; the output's single interleaved scan allows 10 blocks per MCU.
    return { fallback: 'The JPEG has chroma sampling that a single-scan JPEG cannot hold.' };
  }
  const touched = touchedMcus(frame, region);
  let mcusReencoded = 0;
  for (let i = 0; i < touched.length; i++) mcusReencoded += touched[i]!;
  if (mcusReencoded > 0) {
    const reason = reencodeBlocker(frame);
    if (reason) return { fallback: reason };
  }
  return { touched, mcusTotal: touched.length, mcusReencoded };
}

function checkInputs(frame: JpegFrame, pixels: Pixels, region: Uint8Array): void {
  const { width, height, channels, data } = pixels;
  if (width !== frame.width || height !== frame.height) {
    throw invalidArgument(`the edited image is ${width}×${height} but the JPEG is ${frame.width}×${frame.height}`);
  }
  if (data.length !== width * height * channels) {
    throw invalidArgument(
      `the edited image has ${data.length} bytes; ${width}×${height}×${channels} needs ${width * height * channels}`,
    );
  }
  if (region.length !== width * height) {
    throw invalidArgument(`the region has ${region.length} bytes; ${width}×${height} needs ${width * height}`);
  }
}

/** Why touched MCUs cannot be re-encoded in this file's colour space or sampling, or undefined when they can. */
function reencodeBlocker(frame: JpegFrame): string | undefined {
  if (frame.colorSpace !== 'gray' && frame.colorSpace !== 'ycbcr' && frame.colorSpace !== 'rgb') {
    return `The JPEG stores ${frame.colorSpace.toUpperCase()} colour, which block-keeping export cannot re-encode.`;
  }
  const even = frame.components.every((c) => frame.hmax % c.h === 0 && frame.vmax % c.v === 0);
  return even ? undefined : 'The JPEG has unusual chroma sampling that block-keeping export cannot re-encode.';
}

/** One byte per MCU (raster order): 1 where a non-zero region pixel lies inside it. */
function touchedMcus(frame: JpegFrame, region: Uint8Array): Uint8Array {
  const single = frame.components.length === 1;
  const mcuW = single ? 8 : 8 * frame.hmax;
  const mcuH = single ? 8 : 8 * frame.vmax;
  const { width, height, mcusX } = frame;
  const touched = new Uint8Array(mcusX * frame.mcusY);
  for (let y = 0; y < height; y++) {
    const rowMcus = ((y / mcuH) | 0) * mcusX;
    const row = y * width;
    for (let mx = 0; mx < mcusX; mx++) {
      if (touched[rowMcus + mx]) continue;
      const end = row + Math.min(width, (mx + 1) * mcuW);
      for (let i = row + mx * mcuW; i < end; i++) {
        if (region[i]) {
          touched[rowMcus + mx] = 1;
          break;
        }
      }
    }
  }
  return touched;
}
