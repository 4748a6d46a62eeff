import type { Mask, Rect } from '../../../shared/image/types';
import type { PointPx } from './viewTransform';

/** How a brush changes the mask: paint raises toward 255, erase lowers toward 0. */
export type BrushMode = 'paint' | 'erase';

/** A brush in imagePx. `hardness` 1 = a hard edge, 0 = soft all the way from the centre. */
export interface Brush {
  readonly radiusImagePx: number;
  readonly hardness: number;
  readonly mode: BrushMode;
}

/** The union of two rects (null = empty). */
export function unionRect(a: Rect | null, b: Rect | null): Rect | null {
  if (a === null) return b;
  if (b === null) return a;
  return { x0: Math.min(a.x0, b.x0), y0: Math.min(a.y0, b.y0), x1: Math.max(a.x1, b.x1), y1: Math.max(a.y1, b.y1) };
}

/** Brush coverage 0…255 at distance `d` from the centre: full inside hardness·r, linear falloff to r. */
export function dabCoverage(distanceImagePx: number, brush: Brush): number {
  const r = brush.radiusImagePx;
  if (distanceImagePx >= r) return 0;
  const core = r * Math.min(1, Math.max(0, brush.hardness));
  if (distanceImagePx <= core) return 255;
  return Math.round((255 * (r - distanceImagePx)) / (r - core));
}

/**
 * Stamps one round dab centred at pixel-centre coordinates. Painting takes the max of mask and coverage, erasing
 * lowers to min(mask, 255 − coverage), so overlapping dabs within a stroke never accumulate past the brush.
 * Returns the changed area (imagePx) or null when the dab lies outside the mask.
 */
export function stampDab(mask: Mask, centreImagePx: PointPx, brush: Brush): Rect | null {
  const r = brush.radiusImagePx;
  const x0 = Math.max(0, Math.floor(centreImagePx.x - r));
  const y0 = Math.max(0, Math.floor(centreImagePx.y - r));
  const x1 = Math.min(mask.width, Math.ceil(centreImagePx.x + r) + 1);
  const y1 = Math.min(mask.height, Math.ceil(centreImagePx.y + r) + 1);
  if (x1 <= x0 || y1 <= y0) return null;
  const data = mask.data;
  let changed = false;
  for (let y = y0; y < y1; y++) {
    const dy = y + 0.5 - centreImagePx.y;
    for (let x = x0; x < x1; x++) {
      const dx = x + 0.5 - centreImagePx.x;
      const coverage = dabCoverage(Math.sqrt(dx * dx + dy * dy), brush);
      if (coverage === 0) continue;
      const i = y * mask.width + x;
      const old = data[i]!;
      const next = brush.mode === 'paint' ? Math.max(old, coverage) : Math.min(old, 255 - coverage);
      if (next !== old) {
        data[i] = next;
        changed = true;
      }
    }
  }
  return changed ? { x0, y0, x1, y1 } : null;
}

/** Stamps dabs along a segment, spaced a quarter radius apart (at least one pixel). Returns the changed area. */
export function strokeSegment(mask: Mask, fromImagePx: PointPx, toImagePx: PointPx, brush: Brush): Rect | null {
  const dx = toImagePx.x - fromImagePx.x;
  const dy = toImagePx.y - fromImagePx.y;
  const length = Math.hypot(dx, dy);
  const spacing = Math.max(1, brush.radiusImagePx / 4);
  const steps = Math.max(1, Math.ceil(length / spacing));
  let dirty: Rect | null = null;
  for (let s = 1; s <= steps; s++) {
    const t = s / steps;
    dirty = unionRect(dirty, stampDab(mask, { x: fromImagePx.x + dx * t, y: fromImagePx.y + dy * t }, brush));
  }
  return dirty;
}

/**
 * Fills a polygon (lasso) with `value` by the even-odd rule at pixel centres. Returns the changed area or null.
 */
export function fillPolygon(mask: Mask, pointsImagePx: readonly PointPx[], value: number): Rect | null {
  if (pointsImagePx.length < 3) return null;
  let minY = Infinity;
  let maxY = -Infinity;
  for (const p of pointsImagePx) {
    minY = Math.min(minY, p.y);
    maxY = Math.max(maxY, p.y);
  }
  const y0 = Math.max(0, Math.floor(minY));
  const y1 = Math.min(mask.height, Math.ceil(maxY) + 1);
  let dirty: Rect | null = null;
  const crossings: number[] = [];
  for (let y = y0; y < y1; y++) {
    const cy = y + 0.5;
    crossings.length = 0;
    for (let i = 0; i < pointsImagePx.length; i++) {
      const a = pointsImagePx[i]!;
      const b = pointsImagePx[(i + 1) % pointsImagePx.length]!;
      if (a.y <= cy !== b.y <= cy) crossings.push(a.x + ((cy - a.y) * (b.x - a.x)) / (b.y - a.y));
    }
    crossings.sort((p, q) => p - q);
    for (let k = 0; k + 1 < crossings.length; k += 2) {
      const xs = Math.max(0, Math.ceil(crossings[k]! - 0.5));
      const xe = Math.min(mask.width, Math.ceil(crossings[k + 1]! - 0.5));
      if (xe <= xs) continue;
      mask.data.fill(value, y * mask.width + xs, y * mask.width + xe);
      dirty = unionRect(dirty, { x0: xs, y0: y, x1: xe, y1: y + 1 });
    }
  }
  return dirty;
}
