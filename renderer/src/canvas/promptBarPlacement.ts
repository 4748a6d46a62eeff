import type { Rect } from '../../../shared/image/types';
import type { SizePx, View } from './viewTransform';

/** Where the contextual prompt bar goes: its top-left corner in canvasPx, and on which side of the selection. */
export interface PromptBarPlacement {
  readonly x: number;
  readonly y: number;
  readonly side: 'below' | 'above' | 'right' | 'left' | 'over';
}

/** A rectangle in canvasPx (x1, y1 exclusive). */
export interface RectCanvasPx {
  readonly x0: number;
  readonly y0: number;
  readonly x1: number;
  readonly y1: number;
}

/** The image-pixel rectangle `rect` on the canvas through `view`. */
export function imageRectToCanvasPx(view: View, rect: Rect): RectCanvasPx {
  return {
    x0: rect.x0 * view.scale + view.offsetXCanvasPx,
    y0: rect.y0 * view.scale + view.offsetYCanvasPx,
    x1: rect.x1 * view.scale + view.offsetXCanvasPx,
    y1: rect.y1 * view.scale + view.offsetYCanvasPx,
  };
}

function clamp(value: number, min: number, max: number): number {
  return Math.max(min, Math.min(max, value));
}

function overlaps(a: RectCanvasPx, b: RectCanvasPx): boolean {
  return a.x0 < b.x1 && b.x0 < a.x1 && a.y0 < b.y1 && b.y0 < a.y1;
}

/**
 * Places a bar of `bar` size next to the selection (canvasPx) inside the viewport: below it, else above, else to
 * the right or left, whichever first fits without covering the selection; over its bottom edge when none does (a
 * selection that fills the view). Null when the selection is out of view.
 */
export function placePromptBar(
  selection: RectCanvasPx,
  bar: SizePx,
  viewport: SizePx,
  gapCanvasPx = 12,
  marginCanvasPx = 8,
): PromptBarPlacement | null {
  const visible = { x0: 0, y0: 0, x1: viewport.width, y1: viewport.height };
  if (!overlaps(selection, visible)) return null;
  const maxX = Math.max(marginCanvasPx, viewport.width - marginCanvasPx - bar.width);
  const maxY = Math.max(marginCanvasPx, viewport.height - marginCanvasPx - bar.height);
  const centreX = clamp((selection.x0 + selection.x1 - bar.width) / 2, marginCanvasPx, maxX);
  const centreY = clamp((selection.y0 + selection.y1 - bar.height) / 2, marginCanvasPx, maxY);
  const candidates: PromptBarPlacement[] = [
    { side: 'below', x: centreX, y: selection.y1 + gapCanvasPx },
    { side: 'above', x: centreX, y: selection.y0 - gapCanvasPx - bar.height },
    { side: 'right', x: selection.x1 + gapCanvasPx, y: centreY },
    { side: 'left', x: selection.x0 - gapCanvasPx - bar.width, y: centreY },
  ];
  const fits = candidates.find(
    ({ x, y }) =>
      x >= marginCanvasPx &&
      y >= marginCanvasPx &&
      x <= maxX &&
      y <= maxY &&
      !overlaps({ x0: x, y0: y, x1: x + bar.width, y1: y + bar.height }, selection),
  );
  if (fits) return { ...fits, x: Math.round(fits.x), y: Math.round(fits.y) };
  const y = clamp(Math.min(selection.y1, viewport.height) - bar.height - gapCanvasPx, marginCanvasPx, maxY);
  return { side: 'over', x: Math.round(centreX), y: Math.round(y) };
}
