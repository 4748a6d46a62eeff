/**
 * Image → model input tensors for the metric models, as their reference implementations prepare them:
 * - LPIPS: RGB in [0, 1], channel-planar, at the image's own size (the graph scales to [−1, 1] itself);
 * - CLIP (CLIPImageProcessor): shortest side resized to 224 (bicubic), centre crop 224², /255, CLIP mean/std;
 * - DINO (PIE-Bench's structure distance): resized to 224² (bilinear), ImageNet mean/std.
 * A resize to the image's own size is skipped, so 224² inputs reach the models untouched.
 */
import sharp from 'sharp';
import type { Mask, Rect, RgbImage } from '../../../shared/image/types';

const clipMean = [0.48145466, 0.4578275, 0.40821073] as const;
const clipStd = [0.26862954, 0.26130258, 0.27577711] as const;
const imagenetMean = [0.485, 0.456, 0.406] as const;
const imagenetStd = [0.229, 0.224, 0.225] as const;

/** Model input side for CLIP and DINO. */
export const modelSide = 224;

/** RGB in [0, 1], channel-planar [3, H, W]; pixels where `keep` is 0 are 0 (PIE-Bench's masked images). */
export function planarUnit(image: RgbImage, keep?: Uint8Array): Float32Array {
  const n = image.width * image.height;
  const out = new Float32Array(3 * n);
  for (let i = 0; i < n; i++) {
    if (keep && keep[i] === 0) continue;
    for (let c = 0; c < 3; c++) out[c * n + i] = image.data[i * 3 + c]! / 255;
  }
  return out;
}

function normalise(image: RgbImage, mean: readonly number[], std: readonly number[]): Float32Array {
  const out = planarUnit(image);
  const n = image.width * image.height;
  for (let c = 0; c < 3; c++) {
    for (let i = 0; i < n; i++) out[c * n + i] = (out[c * n + i]! - mean[c]!) / std[c]!;
  }
  return out;
}

/** `image` resized (sharp, `fit: fill`); the same image when it already has that size. */
export async function resize(
  image: RgbImage,
  width: number,
  height: number,
  kernel: 'cubic' | 'linear',
): Promise<RgbImage> {
  if (image.width === width && image.height === height) return image;
  const raw = { width: image.width, height: image.height, channels: 3 as const };
  const data = await sharp(image.data, { raw }).resize(width, height, { fit: 'fill', kernel }).raw().toBuffer();
  return { width, height, data: new Uint8Array(data.buffer, data.byteOffset, data.length) };
}

/** The pixels of `rect`. */
export function cropRgb(image: RgbImage, rect: Rect): RgbImage {
  const width = rect.x1 - rect.x0;
  const height = rect.y1 - rect.y0;
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    const from = ((rect.y0 + y) * image.width + rect.x0) * 3;
    data.set(image.data.subarray(from, from + width * 3), y * width * 3);
  }
  return { width, height, data };
}

/** The image with every pixel where `keep` is 0 black (PIE-Bench's masked images, in 8 bits). */
export function keepOnly(image: RgbImage, keep: Uint8Array): RgbImage {
  const data = image.data.slice();
  for (let i = 0; i < keep.length; i++) {
    if (keep[i] === 0) data.fill(0, i * 3, i * 3 + 3);
  }
  return { width: image.width, height: image.height, data };
}

/** The image with every pixel outside `region` (< 128) black: PIE-Bench's "edited part" image. */
export function keepRegion(image: RgbImage, region: Mask): RgbImage {
  const data = image.data.slice();
  for (let i = 0; i < region.data.length; i++) {
    if (region.data[i]! < 128) data.fill(0, i * 3, i * 3 + 3);
  }
  return { width: image.width, height: image.height, data };
}

/** CLIP's pixel_values [1, 3, 224, 224]. */
export async function clipPixels(image: RgbImage): Promise<Float32Array> {
  const scale = modelSide / Math.min(image.width, image.height);
  const width = Math.max(modelSide, Math.round(image.width * scale));
  const height = Math.max(modelSide, Math.round(image.height * scale));
  const resized = await resize(image, width, height, 'cubic');
  const x0 = Math.floor((width - modelSide) / 2);
  const y0 = Math.floor((height - modelSide) / 2);
  const square = cropRgb(resized, { x0, y0, x1: x0 + modelSide, y1: y0 + modelSide });
  return normalise(square, clipMean, clipStd);
}

/** DINO's pixel_values [1, 3, 224, 224]. */
export async function dinoPixels(image: RgbImage): Promise<Float32Array> {
  return normalise(await resize(image, modelSide, modelSide, 'linear'), imagenetMean, imagenetStd);
}
