/**
 * VAE encode (image → scaled latents) and decode (latents → image), adapting to each export's IO: fp16/fp32, and
 * an encoder that returns `latent_sample` (already sampled) or `latent_parameters` (mean ‖ log-variance; the mean is
 * used, which is what diffusers' `latent_dist.mode()` gives).
 */
import type { RgbImage } from '../../shared/image/types';
import { IirError } from '../../shared/errors';
import { runModel } from './modelRun';
import type { LoadedSession } from './sessions';
import { FloatInput, findOutput, readFloat, requireInput, requireOutput } from './tensors';

/** SD1.5's latent scaling factor. */
export const latentScale = 0.18215;

/** RGB bytes → [1, 3, H, W] in [-1, 1]. */
function toModelRange(image: RgbImage, out: Float32Array): void {
  const plane = image.width * image.height;
  const data = image.data;
  for (let i = 0, p = 0; i < plane; i++, p += 3) {
    out[i] = data[p]! / 127.5 - 1;
    out[plane + i] = data[p + 1]! / 127.5 - 1;
    out[2 * plane + i] = data[p + 2]! / 127.5 - 1;
  }
}

/** Encodes `image` (W and H multiples of 8) to latents [4, H/8, W/8], multiplied by {@link latentScale}. */
export async function vaeEncode(encoder: LoadedSession, image: RgbImage): Promise<Float32Array> {
  const session = encoder.session;
  const input = new FloatInput(
    requireInput(session, 'sample', 'VAE encoder'),
    [1, 3, image.height, image.width],
    'VAE encoder',
  );
  toModelRange(image, input.values);
  const sampleOut = findOutput(session, 'latent_sample');
  const outputName = sampleOut ? 'latent_sample' : requireOutput(session, 'latent_parameters', 'VAE encoder').name;
  const out = await runModel(encoder, 'VAE encoder', { sample: input.sync() }, [outputName]);
  const values = readFloat(out[outputName], outputName);
  const latentSize = 4 * (image.height / 8) * (image.width / 8);
  const expected = outputName === 'latent_sample' ? latentSize : 2 * latentSize;
  if (values.length !== expected) {
    throw new IirError(
      'model_missing',
      `model error in ${encoder.path} (VAE encoder): "${outputName}" has ${values.length} values, ${expected} expected`,
    );
  }
  const latents = new Float32Array(latentSize);
  for (let i = 0; i < latentSize; i++) latents[i] = values[i]! * latentScale;
  return latents;
}

/** Decodes latents [4, h, w] (scaled) to an RGB image of 8w × 8h (÷ {@link latentScale}, clamped to [0, 255]). */
export async function vaeDecode(
  decoder: LoadedSession,
  latents: Float32Array,
  latentHeight: number,
  latentWidth: number,
): Promise<RgbImage> {
  const session = decoder.session;
  const input = new FloatInput(
    requireInput(session, 'latent_sample', 'VAE decoder'),
    [1, 4, latentHeight, latentWidth],
    'VAE decoder',
  );
  for (let i = 0; i < latents.length; i++) input.values[i] = latents[i]! / latentScale;
  requireOutput(session, 'sample', 'VAE decoder');
  const out = await runModel(decoder, 'VAE decoder', { latent_sample: input.sync() }, ['sample']);
  const values = readFloat(out.sample, 'sample');
  const width = latentWidth * 8;
  const height = latentHeight * 8;
  const plane = width * height;
  if (values.length !== 3 * plane) {
    throw new IirError(
      'model_missing',
      `model error in ${decoder.path} (VAE decoder): "sample" has ${values.length} values, ${3 * plane} expected`,
    );
  }
  const data = new Uint8Array(3 * plane);
  for (let i = 0, p = 0; i < plane; i++, p += 3) {
    for (let c = 0; c < 3; c++) {
      const v = (values[c * plane + i]! + 1) * 127.5;
      data[p + c] = v <= 0 ? 0 : v >= 255 ? 255 : Math.round(v);
    }
  }
  return { width, height, data };
}
