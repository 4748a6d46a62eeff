/**
 * A cheap RGB preview of latents for progress display: a linear projection of the 4 latent channels to RGB with the
 * widely used SD1.5 factors (no VAE call), at latent resolution (1/8 of the working size).
 */
import type { RgbImage } from '../../shared/image/types';

/** Per latent channel, its contribution to R, G, B (SD1.5, for latents in the scaled space). */
const latentRgbFactors = [
  [0.298, 0.207, 0.208],
  [0.187, 0.286, 0.173],
  [-0.158, 0.189, 0.264],
  [-0.184, -0.271, -0.473],
] as const;

/** Projects latents [4, h, w] (the first batch item) to an h × w RGB image. */
export function latentPreview(latents: Float32Array, latentHeight: number, latentWidth: number): RgbImage {
  const plane = latentHeight * latentWidth;
  const data = new Uint8Array(plane * 3);
  for (let i = 0; i < plane; i++) {
    for (let c = 0; c < 3; c++) {
      let v = 0;
      for (let k = 0; k < 4; k++) v += latents[k * plane + i]! * latentRgbFactors[k]![c]!;
      const byte = (v + 1) * 127.5;
      data[i * 3 + c] = byte <= 0 ? 0 : byte >= 255 ? 255 : Math.round(byte);
    }
  }
  return { width: latentWidth, height: latentHeight, data };
}
