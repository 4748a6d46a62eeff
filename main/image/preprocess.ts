import { invalidArgument, throwIfCancelled } from '../../shared/errors';
import { canny, toGray } from '../../shared/image/canny';
import { buildControl, controlPreview, type ControlChannels, type ControlTensor } from '../../shared/image/control';
import { computeWorkingFrame, extractWorkingMask, type WorkingFrame } from '../../shared/image/geometry';
import { removeInformation, type NoiseScope } from '../../shared/image/iir';
import { isMaskEmpty, maskBoundingBox } from '../../shared/image/mask';
import type { GrayImage, Mask, RgbImage } from '../../shared/image/types';
import type { ImageSource } from './decode';

/** Settings of {@link preprocess}; the defaults are the IIR paper's preprocessing. */
export interface PreprocessOptions {
  /** The RoI at the image's full resolution; without one the whole image is the RoI. */
  readonly maskImagePx?: Mask;
  /** Texture-removal noise σ in [0, 1]. Default 0. */
  readonly noise?: number;
  /** Colour removal inside the RoI. Default true. */
  readonly gray?: boolean;
  readonly noiseScope?: NoiseScope;
  readonly seed?: number;
  readonly cannyLow?: number;
  readonly cannyHigh?: number;
  /** Working short side (multiple of 64). Default 512. */
  readonly shortSide?: number;
  /** Work on a crop around the mask's bounding box instead of the whole image (needs a mask). */
  readonly focus?: boolean;
  /** Channels of the ControlNet's control input. Default 4 (the paper's [IIR RGB, Canny]). */
  readonly controlChannels?: ControlChannels;
  readonly signal?: AbortSignal;
}

/** Milliseconds spent in each stage of {@link preprocess}. */
export interface PreprocessTimings {
  decode: number;
  mask: number;
  iir: number;
  canny: number;
  control: number;
  total: number;
}

/** Everything the diffusion model will see, at the working size. */
export interface PreprocessResult {
  readonly frame: WorkingFrame;
  /** The working-frame image (the source rectangle of the original, resized). */
  readonly working: RgbImage;
  /** The RoI at working size (all 255 when no mask was given). */
  readonly workingMask: Mask;
  /** The information-removed image. */
  readonly iir: RgbImage;
  /** Canny edges of `working`, 0 / 255. */
  readonly edges: GrayImage;
  readonly control: ControlTensor;
  readonly timings: PreprocessTimings;
}

/**
 * Decode → working frame → IIR → Canny → control tensor. The working frame is decoded straight from the file at
 * working size (JPEG/WebP shrink on load), never from a full-resolution copy.
 */
export async function preprocess(source: ImageSource, options: PreprocessOptions = {}): Promise<PreprocessResult> {
  const start = performance.now();
  const { maskImagePx, signal } = options;
  const imageSize = { width: source.info.width, height: source.info.height };
  if (maskImagePx && (maskImagePx.width !== imageSize.width || maskImagePx.height !== imageSize.height)) {
    throw invalidArgument(
      `the mask is ${maskImagePx.width}×${maskImagePx.height} but the image is ${imageSize.width}×${imageSize.height}`,
    );
  }
  if (maskImagePx && isMaskEmpty(maskImagePx)) throw invalidArgument('the mask is empty: nothing to edit');
  let roiPx = null;
  if (options.focus) {
    if (!maskImagePx) throw invalidArgument('focus needs a mask: it crops around the masked region');
    roiPx = maskBoundingBox(maskImagePx);
  }
  const frame = computeWorkingFrame(imageSize, {
    ...(options.shortSide !== undefined ? { shortSide: options.shortSide } : {}),
    ...(roiPx ? { focus: { roiPx } } : {}),
  });

  const decoded = await source.decode({ width: frame.width, height: frame.height, cropImagePx: frame.sourcePx });
  const working = decoded.rgb;
  const afterDecode = performance.now();
  throwIfCancelled(signal);

  let workingMask: Mask;
  if (maskImagePx) {
    workingMask = extractWorkingMask(maskImagePx, frame);
  } else {
    workingMask = { width: frame.width, height: frame.height, data: new Uint8Array(frame.width * frame.height) };
    workingMask.data.fill(255);
  }
  const afterMask = performance.now();

  const iir = removeInformation(working, workingMask, {
    gray: options.gray ?? true,
    noise: options.noise ?? 0,
    scope: options.noiseScope ?? 'roi',
    seed: options.seed ?? 0,
  });
  const afterIir = performance.now();
  throwIfCancelled(signal);

  const edges = canny(toGray(working), {
    ...(options.cannyLow !== undefined ? { low: options.cannyLow } : {}),
    ...(options.cannyHigh !== undefined ? { high: options.cannyHigh } : {}),
  });
  const afterCanny = performance.now();

  const control = buildControl(iir, edges, options.controlChannels ?? 4);
  const end = performance.now();
  return {
    frame,
    working,
    workingMask,
    iir,
    edges,
    control,
    timings: {
      decode: afterDecode - start,
      mask: afterMask - afterDecode,
      iir: afterIir - afterMask,
      canny: afterCanny - afterIir,
      control: end - afterCanny,
      total: end - start,
    },
  };
}

/**
 * The same preprocessing with another noise seed: only the information-removed image and the control depend on the
 * seed, so the decode, mask and Canny of `result` are reused (variations of one edit).
 */
export function reseedPreprocess(
  result: PreprocessResult,
  options: Pick<PreprocessOptions, 'gray' | 'noise' | 'noiseScope'>,
  seed: number,
): PreprocessResult {
  const iir = removeInformation(result.working, result.workingMask, {
    gray: options.gray ?? true,
    noise: options.noise ?? 0,
    scope: options.noiseScope ?? 'roi',
    seed,
  });
  return { ...result, iir, control: buildControl(iir, result.edges, result.control.shape[1]) };
}

/** The picture of what the ControlNet sees (see `controlPreview`): IIR image and edges side by side for 4 channels. */
export function previewControl(result: PreprocessResult): RgbImage {
  return controlPreview(result.iir, result.edges, result.control.shape[1]);
}
