/**
 * VAE encode (image → scaled latents) and decode (latents → image), adapting to each export's IO: fp16/fp32, and
 * an encoder that returns `latent_sample` (already sampled) or `latent_parameters` (mean ‖ log-variance; the mean is
 * used, which is what diffusers' `latent_dist.mode()` gives). Either runs whole or on overlapping tiles (vaeTiles.ts).
 */
import type { RgbImage } from '../../shared/image/types';
import { IirError } from '../../shared/errors';
import { runModel } from './modelRun';
import type { LoadedSession } from './sessions';
import { FloatInput, findOutput, readFloat, requireInput, requireOutput } from './tensors';
import { cropPlanes, runTiled, type Planes } from './vaeTiles';

/** SD1.5's latent scaling factor. */
export const latentScale = 0.18215;

/** RGB bytes → planes [3, H, W] in [-1, 1]. */
function toModelRange(image: RgbImage): Planes {
  const plane = image.width * image.height;
  const data = image.data;
  const out = new Float32Array(3 * plane);
  for (let i = 0, p = 0; i < plane; i++, p += 3) {
    out[i] = data[p]! / 127.5 - 1;
    out[plane + i] = data[p + 1]! / 127.5 - 1;
    out[2 * plane + i] = data[p + 2]! / 127.5 - 1;
  }
  return { channels: 3, height: image.height, width: image.width, data: out };
}

function modelError(model: LoadedSession, what: string, name: string, got: number, expected: number): IirError {
  return new IirError(
    'model_missing',
    `model error in ${model.path} (${what}): "${name}" has ${got} values, ${expected} expected`,
  );
}

/** One encoder run: image planes (model range) → the latent mean [4, H/8, W/8], unscaled. */
async function encodeOnce(encoder: LoadedSession, image: Planes): Promise<Float32Array> {
  const session = encoder.session;
  const spec = requireInput(session, 'sample', 'VAE encoder');
  const input = new FloatInput(spec, [1, 3, image.height, image.width], 'VAE encoder', image.data);
  const sampleOut = findOutput(session, 'latent_sample');
  const outputName = sampleOut ? 'latent_sample' : requireOutput(session, 'latent_parameters', 'VAE encoder').name;
  const out = await runModel(encoder, 'VAE encoder', { sample: input.sync() }, [outputName]);
  const values = readFloat(out[outputName], outputName);
  const latentSize = 4 * (image.height / 8) * (image.width / 8);
  const expected = outputName === 'latent_sample' ? latentSize : 2 * latentSize;
  if (values.length !== expected) throw modelError(encoder, 'VAE encoder', outputName, values.length, expected);
  return values.subarray(0, latentSize); // latent_parameters: mean ‖ log-variance
}

/**
 * Encodes `image` (W and H multiples of 8) to latents [4, H/8, W/8], multiplied by {@link latentScale}; `tiled`
 * runs the encoder on overlapping tiles (vaeTiles.ts) when the image is larger than one.
 */
export async function vaeEncode(encoder: LoadedSession, image: RgbImage, tiled = false): Promise<Float32Array> {
  const planes = toModelRange(image);
  const grid = { height: image.height / 8, width: image.width / 8, channels: 4, scale: 1 };
  const values = tiled
    ? (
        await runTiled(grid, (t) =>
          encodeOnce(encoder, cropPlanes(planes, t.x * 8, t.y * 8, t.width * 8, t.height * 8)),
        )
      ).data
    : await encodeOnce(encoder, planes);
  const latents = new Float32Array(values.length);
  for (let i = 0; i < values.length; i++) latents[i] = values[i]! * latentScale;
  return latents;
}

/** One decoder run: latents [4, h, w] (unscaled) → image planes [3, 8h, 8w] in model range. */
async function decodeOnce(decoder: LoadedSession, latents: Planes): Promise<Float32Array> {
  const session = decoder.session;
  const spec = requireInput(session, 'latent_sample', 'VAE decoder');
  const dims = [1, 4, latents.height, latents.width];
  const input = new FloatInput(spec, dims, 'VAE decoder', latents.data);
  requireOutput(session, 'sample', 'VAE decoder');
  const out = await runModel(decoder, 'VAE decoder', { latent_sample: input.sync() }, ['sample']);
  const values = readFloat(out.sample, 'sample');
  const expected = 3 * 64 * latents.height * latents.width;
  if (values.length !== expected) throw modelError(decoder, 'VAE decoder', 'sample', values.length, expected);
  return values;
}

/**
 * Decodes latents [4, h, w] (scaled) to an RGB image of 8w × 8h (÷ {@link latentScale}, clamped to [0, 255]);
 * `tiled` runs the decoder on overlapping tiles (vaeTiles.ts) when the latents are larger than one.
 */
export async function vaeDecode(
  decoder: LoadedSession,
  latents: Float32Array,
  latentHeight: number,
  latentWidth: number,
  tiled = false,
): Promise<RgbImage> {
  const unscaled = new Float32Array(latents.length);
  for (let i = 0; i < latents.length; i++) unscaled[i] = latents[i]! / latentScale;
  const planes: Planes = { channels: 4, height: latentHeight, width: latentWidth, data: unscaled };
  const grid = { height: latentHeight, width: latentWidth, channels: 3, scale: 8 };
  const values = tiled
    ? (await runTiled(grid, (t) => decodeOnce(decoder, cropPlanes(planes, t.x, t.y, t.width, t.height)))).data
    : await decodeOnce(decoder, planes);
  const width = latentWidth * 8;
  const height = latentHeight * 8;
  const plane = width * height;
  const data = new Uint8Array(3 * plane);
  for (let i = 0, p = 0; i < plane; i++, p += 3) {
    for (let c = 0; c < 3; c++) {
      const v = (values[c * plane + i]! + 1) * 127.5;
      data[p + c] = v <= 0 ? 0 : v >= 255 ? 255 : Math.round(v);
    }
  }
  return { width, height, data };
}
