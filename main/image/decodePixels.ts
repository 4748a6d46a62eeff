/**
 * Decoding for the model and the screen: oriented, converted from the file's profile to 8-bit sRGB (relative
 * colorimetric), the whole image or a working frame. The file's stored values are decoded separately
 * (`decodeStored`); this is a converted copy.
 */
import sharp, { type Sharp } from 'sharp';
import { IirError, invalidArgument } from '../../shared/errors';
import { corrupt, maxImagePixels, type DecodedImage, type FrameRequest, type ImageHeader } from './decode';
import { converterFor, storedPipeline, toStoredRaw, type SourceColour } from './stored';

function checkFrame(frame: FrameRequest, info: ImageHeader): void {
  const { width, height, cropImagePx: crop } = frame;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw invalidArgument(`the frame size ${width}×${height} is not a positive whole number of pixels`);
  }
  if (
    crop &&
    !(
      crop.x0 >= 0 &&
      crop.y0 >= 0 &&
      crop.x1 <= info.width &&
      crop.y1 <= info.height &&
      crop.x0 < crop.x1 &&
      crop.y0 < crop.y1
    )
  ) {
    throw invalidArgument(
      `the crop ${crop.x0},${crop.y0}–${crop.x1},${crop.y1} is not inside the ${info.width}×${info.height} image`,
    );
  }
}

function applyFrame(pipeline: Sharp, info: ImageHeader, frame: FrameRequest | undefined): Sharp {
  if (!frame) return pipeline;
  const crop = frame.cropImagePx;
  if (crop && !(crop.x0 === 0 && crop.y0 === 0 && crop.x1 === info.width && crop.y1 === info.height)) {
    pipeline = pipeline.extract({ left: crop.x0, top: crop.y0, width: crop.x1 - crop.x0, height: crop.y1 - crop.y0 });
  }
  const croppedWidth = crop ? crop.x1 - crop.x0 : info.width;
  const croppedHeight = crop ? crop.y1 - crop.y0 : info.height;
  if (frame.width !== croppedWidth || frame.height !== croppedHeight) {
    pipeline = pipeline.resize(frame.width, frame.height, { fit: 'fill' });
  }
  return pipeline;
}

/** The alpha channel (last of `channels`) as 8 bits. */
function alphaOf(data: Uint8Array | Uint16Array, channels: number, depth: 8 | 16): Uint8Array {
  const n = data.length / channels;
  const alpha = new Uint8Array(n);
  const shift = depth === 16 ? 8 : 0;
  for (let i = 0, p = channels - 1; i < n; i++, p += channels) alpha[i] = data[p]! >> shift;
  return alpha;
}

/** Interleaved colour + alpha → colour, alpha. */
function splitAlpha(data: Uint8Array, colourChannels: number, n: number): [Uint8Array, Uint8Array] {
  const channels = colourChannels + 1;
  const colour = new Uint8Array(n * colourChannels);
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < colourChannels; c++) colour[i * colourChannels + c] = data[i * channels + c]!;
  }
  return [colour, alphaOf(data, channels, 8)];
}

/** The oriented image (or frame) as 8-bit sRGB with its alpha channel apart. */
export async function decodePixels(
  bytes: Uint8Array,
  name: string,
  info: ImageHeader,
  colour: SourceColour,
  frame: FrameRequest | undefined,
): Promise<DecodedImage> {
  if (frame) checkFrame(frame, info);
  const original = { width: info.width, height: info.height };
  let rgb: Uint8Array;
  let alpha: Uint8Array | null = null;
  let width: number;
  let height: number;
  try {
    if (colour.space === 'cmyk') {
      // CMYK goes through libvips (lcms) with the embedded profile, or its generic CMYK profile.
      const base = sharp(bytes, { autoOrient: true, failOn: 'error', limitInputPixels: maxImagePixels });
      const pipeline = applyFrame(base, info, frame);
      const raw = await pipeline.toColourspace('srgb').raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true });
      ({ width, height } = raw.info);
      rgb = new Uint8Array(raw.data.buffer, raw.data.byteOffset, width * height * raw.info.channels);
      if (raw.info.channels === 4) [rgb, alpha] = splitAlpha(rgb, 3, width * height);
    } else {
      const stored = await toStoredRaw(applyFrame(storedPipeline(bytes, maxImagePixels, true), info, frame), colour);
      ({ width, height } = stored);
      const isSrgb8 = colour.profile === null && colour.space === 'rgb' && stored.depth === 8;
      rgb = isSrgb8
        ? stored.hasAlpha
          ? splitAlpha(stored.data as Uint8Array, 3, width * height)[0]
          : (stored.data as Uint8Array)
        : converterFor(colour).toSrgb8(stored.data, stored.depth, stored.channels);
      if (stored.hasAlpha) alpha = alphaOf(stored.data, stored.channels, stored.depth);
    }
  } catch (error) {
    if (error instanceof IirError) throw error;
    throw corrupt(name, error);
  }
  return {
    rgb: { width, height, data: rgb },
    alpha: alpha ? { width, height, data: alpha } : null,
    format: info.format,
    width,
    height,
    original,
  };
}
