import { invalidArgument } from '../../../shared/errors';
import type { Rect } from '../../../shared/image/types';

/** A detected box in original-image pixels (fractional), with the phrase that found it and its score. */
export interface Detection {
  readonly boxImagePx: Rect;
  readonly phrase: string;
  readonly score: number;
}

/** Intersection over union of two boxes; 0 when either is empty. */
export function boxIou(a: Rect, b: Rect): number {
  const iw = Math.min(a.x1, b.x1) - Math.max(a.x0, b.x0);
  const ih = Math.min(a.y1, b.y1) - Math.max(a.y0, b.y0);
  if (iw <= 0 || ih <= 0) return 0;
  const inter = iw * ih;
  const union = (a.x1 - a.x0) * (a.y1 - a.y0) + (b.x1 - b.x0) * (b.y1 - b.y0) - inter;
  return union > 0 ? inter / union : 0;
}

/**
 * Class-agnostic greedy non-maximum suppression: keeps the highest-scoring box of every group whose IoU with an
 * already kept box exceeds `iouThreshold`, whatever phrase found it. Returns the kept detections, best first.
 */
export function nonMaxSuppression(detections: readonly Detection[], iouThreshold: number): Detection[] {
  const sorted = [...detections].sort((a, b) => b.score - a.score);
  const kept: Detection[] = [];
  for (const candidate of sorted) {
    if (kept.every((k) => boxIou(k.boxImagePx, candidate.boxImagePx) <= iouThreshold)) kept.push(candidate);
  }
  return kept;
}

/** Clamps a box to the image and returns it; the result may be empty when the box lies outside. */
export function clampBox(box: Rect, width: number, height: number): Rect {
  return {
    x0: Math.min(Math.max(box.x0, 0), width),
    y0: Math.min(Math.max(box.y0, 0), height),
    x1: Math.min(Math.max(box.x1, 0), width),
    y1: Math.min(Math.max(box.y1, 0), height),
  };
}

/** Checks that a user box is well formed and overlaps a `width`×`height` image; throws a one-line error otherwise. */
export function validateBox(box: Rect, width: number, height: number): void {
  const values = [box.x0, box.y0, box.x1, box.y1];
  if (!values.every(Number.isFinite)) throw invalidArgument(`box ${formatBox(box)} has a non-numeric coordinate`);
  if (box.x1 <= box.x0 || box.y1 <= box.y0) {
    throw invalidArgument(`box ${formatBox(box)} is empty: expected x0 < x1 and y0 < y1`);
  }
  if (box.x1 <= 0 || box.y1 <= 0 || box.x0 >= width || box.y0 >= height) {
    throw invalidArgument(`box ${formatBox(box)} lies outside the ${width}×${height} image`);
  }
}

/** Parses `x0,y0,x1,y1` (image pixels) as typed on the command line. */
export function parseBox(text: string): Rect {
  const parts = text.split(',').map((p) => p.trim());
  const numbers = parts.map(Number);
  if (parts.length !== 4 || parts.some((p) => p === '') || !numbers.every(Number.isFinite)) {
    throw invalidArgument(`malformed box "${text}": expected x0,y0,x1,y1 in image pixels`);
  }
  const [x0, y0, x1, y1] = numbers as [number, number, number, number];
  if (x1 <= x0 || y1 <= y0) throw invalidArgument(`malformed box "${text}": expected x0 < x1 and y0 < y1`);
  return { x0, y0, x1, y1 };
}

function formatBox(box: Rect): string {
  return `${box.x0},${box.y0},${box.x1},${box.y1}`;
}
