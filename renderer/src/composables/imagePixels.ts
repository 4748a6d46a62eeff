import type { Mask, RgbImage } from '../../../shared/image/types';

/**
 * Loads a stored image as a drawable bitmap: `app://iir-studio/image/<id>` in the desktop app (the page's own origin),
 * `/image/<id>` in serve mode. Always the current pixels: an id's image never changes, but the store may drop it.
 */
export async function loadBitmap(url: string): Promise<ImageBitmap> {
  let response: Response;
  try {
    response = await fetch(url, { cache: 'no-store' });
  } catch (error) {
    // A refused fetch (another origin without CORS, a scheme nobody serves) rejects with a bare "Failed to fetch".
    const where = /^[a-z][a-z0-9+.-]*:/i.test(url) ? url.slice(0, url.indexOf(':') + 1) : 'this page';
    const reason = error instanceof Error ? error.message : 'refused';
    throw new Error(`could not load the image from ${where} (${reason})`, { cause: error });
  }
  if (!response.ok) throw new Error(`could not load the image (${response.status} ${response.statusText})`);
  return createImageBitmap(await response.blob(), { colorSpaceConversion: 'none', premultiplyAlpha: 'none' });
}

function readRgba(bitmap: ImageBitmap): ImageData {
  const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
  const context = canvas.getContext('2d', { willReadFrequently: true });
  if (!context) throw new Error('this browser cannot read image pixels');
  context.drawImage(bitmap, 0, 0);
  return context.getImageData(0, 0, bitmap.width, bitmap.height);
}

/** The RGB bytes of a bitmap (alpha dropped). */
export function bitmapToRgb(bitmap: ImageBitmap): RgbImage {
  const rgba = readRgba(bitmap).data;
  const n = bitmap.width * bitmap.height;
  const data = new Uint8Array(n * 3);
  for (let i = 0, p = 0, q = 0; i < n; i++, p += 3, q += 4) {
    data[p] = rgba[q]!;
    data[p + 1] = rgba[q + 1]!;
    data[p + 2] = rgba[q + 2]!;
  }
  return { width: bitmap.width, height: bitmap.height, data };
}

/** A mask from a bitmap: the red channel (gray PNGs decode with R = G = B). */
export function bitmapToMask(bitmap: ImageBitmap): Mask {
  const rgba = readRgba(bitmap).data;
  const n = bitmap.width * bitmap.height;
  const data = new Uint8Array(n);
  for (let i = 0; i < n; i++) data[i] = rgba[i * 4]!;
  return { width: bitmap.width, height: bitmap.height, data };
}

/** A gray PNG of a mask (for "export mask"). */
export async function maskToPngBlob(mask: Mask): Promise<Blob> {
  const canvas = new OffscreenCanvas(mask.width, mask.height);
  const context = canvas.getContext('2d');
  if (!context) throw new Error('this browser cannot draw');
  const image = context.createImageData(mask.width, mask.height);
  for (let i = 0; i < mask.data.length; i++) {
    const v = mask.data[i]!;
    image.data[i * 4] = v;
    image.data[i * 4 + 1] = v;
    image.data[i * 4 + 2] = v;
    image.data[i * 4 + 3] = 255;
  }
  context.putImageData(image, 0, 0);
  return canvas.convertToBlob({ type: 'image/png' });
}

/** An RGB image as RGBA ImageData bytes (for a canvas). */
export function rgbToImageData(image: RgbImage): ImageData {
  const out = new ImageData(image.width, image.height);
  const n = image.width * image.height;
  for (let i = 0, p = 0, q = 0; i < n; i++, p += 3, q += 4) {
    out.data[q] = image.data[p]!;
    out.data[q + 1] = image.data[p + 1]!;
    out.data[q + 2] = image.data[p + 2]!;
    out.data[q + 3] = 255;
  }
  return out;
}

/** Hands a blob to the browser as a download. */
export function downloadBlob(blob: Blob, fileName: string): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  link.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
