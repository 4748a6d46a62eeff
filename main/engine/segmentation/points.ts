import { invalidArgument } from '../../../shared/errors';

/** A click in original-image pixels: positive points add to the region, negative points remove from it. */
export interface PromptPoint {
  readonly xImagePx: number;
  readonly yImagePx: number;
  readonly isPositive: boolean;
}

/** Parses `x,y,1|0` (image pixels, 1 = include, 0 = exclude) as typed on the command line. */
export function parsePoint(text: string): PromptPoint {
  const parts = text.split(',').map((p) => p.trim());
  const [x, y, label] = parts.map(Number) as [number, number, number];
  if (parts.length !== 3 || parts.some((p) => p === '') || !Number.isFinite(x) || !Number.isFinite(y)) {
    throw invalidArgument(`malformed point "${text}": expected x,y,1 (include) or x,y,0 (exclude)`);
  }
  if (label !== 0 && label !== 1) throw invalidArgument(`malformed point "${text}": the label must be 1 or 0`);
  return { xImagePx: x, yImagePx: y, isPositive: label === 1 };
}

/** Throws a one-line error when a point lies outside a `width`×`height` image. */
export function validatePoint(point: PromptPoint, width: number, height: number): void {
  const { xImagePx: x, yImagePx: y } = point;
  if (!Number.isFinite(x) || !Number.isFinite(y) || x < 0 || y < 0 || x >= width || y >= height) {
    throw invalidArgument(`point ${x},${y} lies outside the ${width}×${height} image`);
  }
}
