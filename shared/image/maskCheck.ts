/** The checks every mask function runs on its arguments, and the one way they build a result. */

import { invalidArgument } from '../errors';
import type { Mask } from './types';

/** Throws unless `mask` has positive integer sizes and `width × height` bytes. */
export function checkMask(mask: Mask, what = 'mask'): void {
  if (!Number.isInteger(mask.width) || !Number.isInteger(mask.height) || mask.width < 1 || mask.height < 1) {
    throw invalidArgument(`${what} size must be positive integers, got ${String(mask.width)}×${String(mask.height)}`);
  }
  if (mask.data.length !== mask.width * mask.height) {
    throw invalidArgument(`${what} data has ${mask.data.length} bytes, expected ${mask.width}×${mask.height}`);
  }
}

export function checkSameSize(a: Mask, b: Mask): void {
  checkMask(a, 'first mask');
  checkMask(b, 'second mask');
  if (a.width !== b.width || a.height !== b.height) {
    throw invalidArgument(`masks differ in size: ${a.width}×${a.height} and ${b.width}×${b.height}`);
  }
}

export function checkThreshold(threshold: number): void {
  if (!Number.isInteger(threshold) || threshold < 0 || threshold > 255) {
    throw invalidArgument(`mask threshold must be an integer from 0 to 255, got ${String(threshold)}`);
  }
}

export function checkRadius(px: number, what: string): void {
  if (!(px >= 0 && px <= 4096)) throw invalidArgument(`${what} must be from 0 to 4096 px, got ${String(px)}`);
}

export function withData(mask: Mask, data: Uint8Array): Mask {
  return { width: mask.width, height: mask.height, data };
}
