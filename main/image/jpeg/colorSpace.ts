import type { JpegColorSpace, JpegComponent } from './types';

/**
 * The colour space of the components, decided as libjpeg's `default_decompress_parms` does: a JFIF marker means
 * YCbCr, else an Adobe marker's transform flag, else the component ids ('R', 'G', 'B' means RGB).
 */
export function colorSpaceOf(
  components: readonly JpegComponent[],
  isJfif: boolean,
  adobeTransform: number | undefined,
): JpegColorSpace {
  const ids = components.map((c) => c.id);
  if (components.length === 1) return 'gray';
  if (components.length === 3) {
    if (isJfif) return 'ycbcr';
    if (adobeTransform !== undefined) return adobeTransform === 0 ? 'rgb' : 'ycbcr';
    return ids[0] === 0x52 && ids[1] === 0x47 && ids[2] === 0x42 ? 'rgb' : 'ycbcr';
  }
  if (components.length === 4) return adobeTransform === undefined || adobeTransform === 0 ? 'cmyk' : 'ycck';
  return 'other';
}
