import { invalidArgument } from '../../shared/errors';
import type { Mask } from '../../shared/image/types';
import { openImage } from './decode';

/**
 * Reads a mask image as 8-bit single-channel: colour is reduced to luma, and transparent pixels count as outside
 * (a painted PNG with a transparent background works as well as a black-and-white one). When `expected` is given,
 * a mask of another size is refused.
 */
export async function readMask(path: string, expected?: { width: number; height: number }): Promise<Mask> {
  const source = await openImage(path);
  const { width, height } = source.info;
  if (expected && (width !== expected.width || height !== expected.height)) {
    throw invalidArgument(
      `the mask ${source.name} is ${width}×${height} but the image is ${expected.width}×${expected.height}; ` +
        'they must be the same size',
    );
  }
  const { rgb, alpha } = await source.decode();
  const src = rgb.data;
  const a = alpha?.data;
  const data = new Uint8Array(width * height);
  for (let i = 0, k = 0; i < data.length; i++, k += 3) {
    // Rec. 601 luma in integers, so a gray pixel keeps its exact value.
    const luma = (299 * src[k]! + 587 * src[k + 1]! + 114 * src[k + 2]! + 500) / 1000;
    data[i] = a ? Math.round((Math.floor(luma) * a[i]!) / 255) : Math.floor(luma);
  }
  return { width, height, data };
}
