/**
 * The ControlNet's conditioning image (`controlnet_cond`), NCHW float32 in [0, 1] (byte / 255):
 * - 4 channels (an IIR-trained ControlNet, the paper's setting): [IIR R, IIR G, IIR B, Canny];
 * - 3 channels (a stock Canny ControlNet, the training-free engine): [Canny, Canny, Canny].
 */

import { invalidArgument } from '../errors';
import { checkRgb } from './resize';
import type { GrayImage, RgbImage } from './types';

/** Channel count of the installed ControlNet's `controlnet_cond` input. */
export type ControlChannels = 3 | 4;

/** A float32 tensor in NCHW layout, ready for an ONNX Runtime `Tensor('float32', data, shape)`. */
export interface ControlTensor {
  readonly data: Float32Array;
  readonly shape: readonly [1, ControlChannels, number, number];
}

function check(iirImage: RgbImage, edges: GrayImage, channels: number): void {
  checkRgb(iirImage);
  if (channels !== 3 && channels !== 4) {
    throw invalidArgument(`a ControlNet control image has 3 or 4 channels, got ${String(channels)}`);
  }
  if (
    edges.width !== iirImage.width ||
    edges.height !== iirImage.height ||
    edges.data.length !== edges.width * edges.height
  ) {
    throw invalidArgument(
      `the edge map (${edges.width}×${edges.height}) must have the IIR image's size (${iirImage.width}×${iirImage.height})`,
    );
  }
}

/**
 * Builds the control tensor [1, C, H, W] from the IIR image and the Canny edge map (same size, normally the working
 * frame). `channels` 4 → [IIR R, G, B, Canny]; 3 → [Canny ×3]. Values are byte / 255.
 */
export function buildControl(iirImage: RgbImage, edges: GrayImage, channels: ControlChannels): ControlTensor {
  check(iirImage, edges, channels);
  const { width, height } = iirImage;
  const plane = width * height;
  const data = new Float32Array(plane * channels);
  const rgb = iirImage.data;
  const edge = edges.data;
  const inv = 1 / 255;
  if (channels === 4) {
    for (let i = 0, p = 0; i < plane; i++, p += 3) {
      data[i] = rgb[p]! * inv;
      data[plane + i] = rgb[p + 1]! * inv;
      data[2 * plane + i] = rgb[p + 2]! * inv;
      data[3 * plane + i] = edge[i]! * inv;
    }
  } else {
    for (let i = 0; i < plane; i++) data[i] = edge[i]! * inv;
    data.copyWithin(plane, 0, plane);
    data.copyWithin(2 * plane, 0, plane);
  }
  return { data, shape: [1, channels, height, width] };
}

/**
 * A viewable picture of what the ControlNet sees. 3 channels: the edge map as a gray RGB image (W×H).
 * 4 channels: the IIR image on the left and the edge map on the right, side by side (2W×H), since a fourth channel
 * cannot be shown as colour.
 */
export function controlPreview(iirImage: RgbImage, edges: GrayImage, channels: ControlChannels): RgbImage {
  check(iirImage, edges, channels);
  const { width, height } = iirImage;
  const outWidth = channels === 4 ? 2 * width : width;
  const out = new Uint8Array(outWidth * height * 3);
  const edgeOffset = channels === 4 ? width : 0;
  for (let y = 0; y < height; y++) {
    const rowOut = y * outWidth * 3;
    if (channels === 4) out.set(iirImage.data.subarray(y * width * 3, (y + 1) * width * 3), rowOut);
    for (let x = 0; x < width; x++) {
      const v = edges.data[y * width + x]!;
      const q = rowOut + (edgeOffset + x) * 3;
      out[q] = v;
      out[q + 1] = v;
      out[q + 2] = v;
    }
  }
  return { width: outWidth, height, data: out };
}
