import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { env, RawImage, type ImageProcessor } from '@huggingface/transformers';
import sharp from 'sharp';

import { IirError } from '../../../shared/errors';
import type { RgbImage } from '../../../shared/image/types';
import type { ProviderName } from '../providers';

/** transformers.js device names; in Node they map one to one onto ONNX Runtime execution providers. */
export type SegmentationDevice = 'cuda' | 'dml' | 'coreml' | 'webgpu' | 'cpu';

/** transformers.js weight variants, named after the file suffix in `onnx/` (`model.onnx`, `model_fp16.onnx` …). */
export type SegmentationDtype = 'fp32' | 'fp16' | 'q8' | 'int8' | 'uint8' | 'q4' | 'q4f16' | 'bnb4';

const dtypeSuffixes: readonly (readonly [SegmentationDtype, string])[] = [
  ['fp32', ''],
  ['fp16', '_fp16'],
  ['q8', '_quantized'],
  ['int8', '_int8'],
  ['uint8', '_uint8'],
  ['q4', '_q4'],
  ['q4f16', '_q4f16'],
  ['bnb4', '_bnb4'],
];

let isConfigured = false;

/** Local files only: the library never reaches the network, and folders are given as absolute paths. */
export function configureTransformers(): void {
  if (isConfigured) return;
  env.allowRemoteModels = false;
  env.allowLocalModels = true;
  env.useBrowserCache = false;
  env.useFSCache = false;
  isConfigured = true;
}

/** Sets the folder that model ids (not absolute paths) resolve against. */
export function setLocalModelPath(modelsDir: string): void {
  configureTransformers();
  env.localModelPath = modelsDir.endsWith('/') ? modelsDir : `${modelsDir}/`;
}

/**
 * Maps the app's provider choice onto a transformers.js device. In Node 4.3.2 the names are the same, CoreML
 * included (the library lists it on macOS).
 */
export function deviceForProvider(provider: ProviderName): SegmentationDevice {
  return provider;
}

/**
 * Which weight variant a model folder holds for `baseName` (e.g. `vision_encoder`): the first of fp32, fp16, q8, …
 * that exists. Exports ship different subsets, so the folder decides rather than a fixed choice.
 */
export function detectDtype(modelDir: string, baseName: string): SegmentationDtype {
  for (const [dtype, suffix] of dtypeSuffixes) {
    if (existsSync(join(modelDir, 'onnx', `${baseName}${suffix}.onnx`))) return dtype;
  }
  throw new IirError('model_missing', `${join(modelDir, 'onnx', `${baseName}.onnx`)} is missing`);
}

/**
 * Wraps decoded pixels (EXIF orientation already applied by the project's decoder) for the library's processors,
 * without copying.
 */
export function toRawImage(image: RgbImage): RawImage {
  return new RawImage(image.data, image.width, image.height, 3);
}

/** Milliseconds since `start` (a `performance.now()` reading), rounded to 0.1 ms. */
export function elapsedMs(start: number): number {
  return Math.round((performance.now() - start) * 10) / 10;
}

/**
 * The image at the size `imageProcessor` will resize it to, resized with sharp's antialiased bilinear kernel (as
 * Pillow does for the Python processors). The library's own resize is an affine warp that samples a 12 MP photo
 * without antialiasing and takes ~0.4 s; handed the result, the processor's resize is a same-size no-op and
 * its reported sizes stay consistent with the original image (it only ever sees the whole image, scaled).
 */
export async function resizeForProcessor(image: RgbImage, imageProcessor: ImageProcessor): Promise<RawImage> {
  const raw = toRawImage(image);
  const [width, height] = imageProcessor.get_resize_output_image_size(raw, imageProcessor.size);
  if (width === image.width && height === image.height) return raw;
  const resized = await sharp(image.data, { raw: { width: image.width, height: image.height, channels: 3 } })
    .resize(width, height, { fit: 'fill', kernel: 'linear' })
    .raw()
    .toBuffer();
  return new RawImage(new Uint8Array(resized.buffer, resized.byteOffset, resized.length), width, height, 3);
}
