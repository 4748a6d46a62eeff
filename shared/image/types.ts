/**
 * Pixel containers shared by every layer. Plain objects of typed arrays so they pass through structured clone,
 * worker messages and IPC without conversion.
 */

/** 8-bit sRGB, interleaved RGB, row-major, no padding: `data.length === width * height * 3`. */
export interface RgbImage {
  readonly width: number;
  readonly height: number;
  readonly data: Uint8Array;
}

/**
 * 8-bit single-channel mask, row-major: 0 = outside, 255 = inside, values between are soft (feathered) coverage.
 * `data.length === width * height`.
 */
export interface Mask {
  readonly width: number;
  readonly height: number;
  readonly data: Uint8Array;
}

/** 8-bit single-channel image (luma, edge map, alpha): `data.length === width * height`. */
export type GrayImage = Mask;

/** An axis-aligned rectangle in pixels: `x0`,`y0` inclusive, `x1`,`y1` exclusive. */
export interface Rect {
  readonly x0: number;
  readonly y0: number;
  readonly x1: number;
  readonly y1: number;
}

/** Creates an all-zero mask. */
export function createMask(width: number, height: number): Mask {
  return { width, height, data: new Uint8Array(width * height) };
}
