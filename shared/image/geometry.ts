/**
 * Working-frame geometry: which region of the original image (image px) the diffusion model sees, at which size
 * (working px, both sides multiples of 64 as SD1.5's VAE and UNet need), and the mappings between the two.
 *
 * Coordinates are continuous: pixel (i, j) covers [i, i+1) × [j, j+1), its centre is (i + 0.5, j + 0.5). The mapping
 * is affine per axis: `imagePx = sourcePx.x0 + workingPx · sourceWidth / width` (same for y), so the frame's edges
 * map onto the source rectangle's edges exactly.
 *
 * Rounding choice: the source rectangle is never trimmed to fit the 64-px grid. The whole image (or the focus crop)
 * is scaled so its short side is exactly `shortSide` and the long side is rounded to the nearest multiple of 64,
 * which leaves a small anisotropic scale: the long side is off by at most 32 working px (0.2 % for 451×300 → 768×512,
 * 3 % for 4000×3000 → 704×512). Trimming the source to the exact aspect would instead drop up to 32 working px of
 * picture that the compositor would have to patch back; the stretch is undone exactly when the result is mapped back
 * (the mappings below are per axis), so every source pixel is kept and geometry round-trips.
 */

import { invalidArgument } from '../errors';
import { checkMask } from './maskCheck';
import { checkRgb, cropChannels, resizeChannels } from './resize';
import type { Mask, Rect, RgbImage } from './types';

/** A size in pixels. */
export interface Size {
  readonly width: number;
  readonly height: number;
}

/** The region of the original the model works on, and the working size. */
export interface WorkingFrame {
  /** The region of the original image used (image px, integer edges, x1/y1 exclusive). */
  readonly sourcePx: Rect;
  /** Working width in px, a multiple of 64. */
  readonly width: number;
  /** Working height in px, a multiple of 64. */
  readonly height: number;
  /** Working px per image px along the source's short side (the nominal scale). */
  readonly scale: number;
  /** Working px per image px horizontally: `width / sourceWidth`. */
  readonly scaleX: number;
  /** Working px per image px vertically: `height / sourceHeight`. */
  readonly scaleY: number;
}

/** Options of {@link computeWorkingFrame}. */
export interface WorkingFrameOptions {
  /** Working short side in px: a multiple of 64 in [256, 1024]. Default 512. */
  readonly shortSide?: number;
  /**
   * Upper bound of the working long side (a multiple of 64, ≥ shortSide). Default 2048 = 4 × 512. A more elongated
   * source keeps its aspect: the long side becomes this bound and the short side shrinks (to at least 64).
   */
  readonly maxLongSide?: number;
  /** Focus mode: work on a crop around a region of interest instead of the whole image. */
  readonly focus?: FocusOptions;
}

/** How the focus crop is chosen around the region of interest. */
export interface FocusOptions {
  /** Bounding box of the region of interest in image px (e.g. `maskBoundingBox` of the RoI mask). */
  readonly roiPx: Rect;
  /** Context added on every side, as a fraction of the box's longer side, in [0, 4]. Default 0.25. */
  readonly marginFraction?: number;
  /**
   * The crop's longer side over its shorter side is at most this (≥ 1): the shorter side grows with more context,
   * so a thin RoI still gets a square-ish crop. Default 1.5.
   */
  readonly maxAspect?: number;
  /**
   * Smallest crop side in image px, so a tiny RoI is not blown up absurdly. Default `shortSide / 2`
   * (at most 2× enlargement). Never more than the image's own size.
   */
  readonly minSidePx?: number;
}

function roundTo64(v: number): number {
  return Math.max(64, Math.round(v / 64) * 64);
}

/** Working size for a source of `sourceWidth`×`sourceHeight` (see the module comment for the rounding). */
function workingSize(sourceWidth: number, sourceHeight: number, shortSide: number, maxLongSide: number): Size {
  const landscape = sourceWidth >= sourceHeight;
  const shortSource = landscape ? sourceHeight : sourceWidth;
  const longSource = landscape ? sourceWidth : sourceHeight;
  let shortWorking = shortSide;
  let longWorking = roundTo64((longSource * shortSide) / shortSource);
  if (longWorking > maxLongSide) {
    longWorking = maxLongSide;
    shortWorking = Math.min(shortSide, roundTo64((shortSource * maxLongSide) / longSource));
  }
  return landscape ? { width: longWorking, height: shortWorking } : { width: shortWorking, height: longWorking };
}

function frameOf(sourcePx: Rect, size: Size): WorkingFrame {
  const sourceWidth = sourcePx.x1 - sourcePx.x0;
  const sourceHeight = sourcePx.y1 - sourcePx.y0;
  const scaleX = size.width / sourceWidth;
  const scaleY = size.height / sourceHeight;
  return {
    sourcePx,
    width: size.width,
    height: size.height,
    scale: sourceWidth >= sourceHeight ? scaleY : scaleX,
    scaleX,
    scaleY,
  };
}

/** An interval of integer length `length` centred on `centre` as well as integers allow, shifted inside [0, limit]. */
function placeInterval(centre: number, length: number, limit: number): [number, number] {
  const start = Math.min(Math.max(0, Math.round(centre - length / 2)), limit - length);
  return [start, start + length];
}

/**
 * Computes the working frame of an image: the whole image scaled so its short side is `shortSide` with both sides
 * multiples of 64, or with `focus` a crop around the RoI box (context margin, square-ish, clamped to the image)
 * whose aspect is then matched to the working size. The returned frame always lies inside the image and, in focus
 * mode, always contains the RoI box (clipped to the image).
 */
export function computeWorkingFrame(imagePx: Size, options: WorkingFrameOptions = {}): WorkingFrame {
  const { width: imageWidth, height: imageHeight } = imagePx;
  if (!Number.isInteger(imageWidth) || !Number.isInteger(imageHeight) || imageWidth < 1 || imageHeight < 1) {
    throw invalidArgument(`image size must be positive integers, got ${String(imageWidth)}×${String(imageHeight)}`);
  }
  const shortSide = options.shortSide ?? 512;
  if (!Number.isInteger(shortSide) || shortSide < 256 || shortSide > 1024 || shortSide % 64 !== 0) {
    throw invalidArgument(`working short side must be a multiple of 64 from 256 to 1024, got ${String(shortSide)}`);
  }
  const maxLongSide = options.maxLongSide ?? 2048;
  if (!Number.isInteger(maxLongSide) || maxLongSide < shortSide || maxLongSide % 64 !== 0) {
    throw invalidArgument(
      `working long side limit must be a multiple of 64 and at least the short side (${shortSide}), got ${String(maxLongSide)}`,
    );
  }
  const focus = options.focus;
  if (focus === undefined) {
    const whole: Rect = { x0: 0, y0: 0, x1: imageWidth, y1: imageHeight };
    return frameOf(whole, workingSize(imageWidth, imageHeight, shortSide, maxLongSide));
  }

  const marginFraction = focus.marginFraction ?? 0.25;
  if (!(marginFraction >= 0 && marginFraction <= 4)) {
    throw invalidArgument(`focus margin must be a fraction from 0 to 4, got ${String(marginFraction)}`);
  }
  const maxAspect = focus.maxAspect ?? 1.5;
  if (!(maxAspect >= 1 && Number.isFinite(maxAspect))) {
    throw invalidArgument(`focus aspect limit must be a number ≥ 1, got ${String(maxAspect)}`);
  }
  const minSidePx = focus.minSidePx ?? shortSide / 2;
  if (!(minSidePx >= 1 && Number.isFinite(minSidePx))) {
    throw invalidArgument(`focus minimum side must be ≥ 1 px, got ${String(minSidePx)}`);
  }
  const { roiPx } = focus;
  const roi: Rect = {
    x0: Math.max(0, Math.floor(roiPx.x0)),
    y0: Math.max(0, Math.floor(roiPx.y0)),
    x1: Math.min(imageWidth, Math.ceil(roiPx.x1)),
    y1: Math.min(imageHeight, Math.ceil(roiPx.y1)),
  };
  if (![roiPx.x0, roiPx.y0, roiPx.x1, roiPx.y1].every(Number.isFinite) || roi.x1 <= roi.x0 || roi.y1 <= roi.y0) {
    throw invalidArgument(
      `focus region ${roiPx.x0},${roiPx.y0}–${roiPx.x1},${roiPx.y1} is empty or outside the ${imageWidth}×${imageHeight} image`,
    );
  }
  const boxWidth = roi.x1 - roi.x0;
  const boxHeight = roi.y1 - roi.y0;
  const margin = marginFraction * Math.max(boxWidth, boxHeight);
  let cropWidth = boxWidth + 2 * margin;
  let cropHeight = boxHeight + 2 * margin;
  cropWidth = Math.max(cropWidth, cropHeight / maxAspect, minSidePx);
  cropHeight = Math.max(cropHeight, cropWidth / maxAspect, minSidePx);
  const centreX = (roi.x0 + roi.x1) / 2;
  const centreY = (roi.y0 + roi.y1) / 2;
  let widthPx = Math.min(imageWidth, Math.max(boxWidth, Math.ceil(cropWidth)));
  let heightPx = Math.min(imageHeight, Math.max(boxHeight, Math.ceil(cropHeight)));

  // Grow the crop (never shrink it, so it keeps containing the RoI) towards the working aspect.
  const size = workingSize(widthPx, heightPx, shortSide, maxLongSide);
  const aspect = size.width / size.height;
  if (widthPx / heightPx < aspect) widthPx = Math.min(imageWidth, Math.max(widthPx, Math.round(heightPx * aspect)));
  else heightPx = Math.min(imageHeight, Math.max(heightPx, Math.round(widthPx / aspect)));

  let [x0, x1] = placeInterval(centreX, widthPx, imageWidth);
  let [y0, y1] = placeInterval(centreY, heightPx, imageHeight);
  // Rounding the centre can leave the RoI half a pixel out when the crop is exactly the box: shift it back in.
  if (x0 > roi.x0) [x0, x1] = [roi.x0, roi.x0 + widthPx];
  if (x1 < roi.x1) [x0, x1] = [roi.x1 - widthPx, roi.x1];
  if (y0 > roi.y0) [y0, y1] = [roi.y0, roi.y0 + heightPx];
  if (y1 < roi.y1) [y0, y1] = [roi.y1 - heightPx, roi.y1];
  const sourcePx: Rect = { x0, y0, x1, y1 };
  return frameOf(sourcePx, workingSize(widthPx, heightPx, shortSide, maxLongSide));
}

/**
 * The working-frame mask: the source rectangle of an image-size mask resized to the working size. Area averaging
 * (shrinking) or bilinear (enlarging), so a hard mask gets soft edges; threshold it if a hard one is needed.
 */
export function extractWorkingMask(mask: Mask, frame: WorkingFrame): Mask {
  checkMask(mask);
  const crop = cropChannels(mask.data, mask.width, mask.height, 1, frame.sourcePx);
  return {
    width: frame.width,
    height: frame.height,
    data: resizeChannels(crop.data, crop.width, crop.height, 1, frame.width, frame.height),
  };
}

/** A working-size RGB result resized back to the size of the frame's source rectangle (ready to paste there). */
export function workingRgbToSource(frame: WorkingFrame, workingRgb: RgbImage): RgbImage {
  checkRgb(workingRgb);
  checkWorkingSize(frame, workingRgb);
  const width = frame.sourcePx.x1 - frame.sourcePx.x0;
  const height = frame.sourcePx.y1 - frame.sourcePx.y0;
  return {
    width,
    height,
    data: resizeChannels(workingRgb.data, workingRgb.width, workingRgb.height, 3, width, height),
  };
}

function checkWorkingSize(frame: WorkingFrame, image: Size): void {
  if (image.width !== frame.width || image.height !== frame.height) {
    throw invalidArgument(
      `expected a ${frame.width}×${frame.height} working-frame image, got ${image.width}×${image.height}`,
    );
  }
}
