import { MaskContour, contourTilePx } from './maskContour';
import type { Stage } from './drawLayers';
import { visibleImageRect } from './viewTransform';

/** Receives one outline rectangle in device pixels (integers; one of width and height is 1). */
export type RectSink = (x: number, y: number, width: number, height: number) => void;

/**
 * The mask's outline as it shows at this view: every edge run of the visible tiles, at the level of detail of the
 * zoom, snapped to whole device pixels so the line is one crisp device pixel wide at every zoom.
 */
export function outlineRects(contour: MaskContour, stage: Stage, emit: RectSink): void {
  const { view, dpr } = stage;
  const level = MaskContour.levelFor(view.scale * dpr);
  const visible = visibleImageRect(view, stage.image, stage.viewport);
  if (!visible) return;
  const f = 1 << level;
  const unit = dpr * view.scale * f;
  const ox = dpr * view.offsetXCanvasPx;
  const oy = dpr * view.offsetYCanvasPx;
  const tileImagePx = contourTilePx * f;
  const { width: levelWidth, height: levelHeight } = contour.levelSize(level);
  // The far edge of the mask belongs to the last tile row and column.
  const txLast = Math.min(Math.floor(visible.x1 / tileImagePx), Math.ceil(levelWidth / contourTilePx) - 1);
  const tyLast = Math.min(Math.floor(visible.y1 / tileImagePx), Math.ceil(levelHeight / contourTilePx) - 1);
  for (let ty = Math.floor(visible.y0 / tileImagePx); ty <= tyLast; ty++) {
    for (let tx = Math.floor(visible.x0 / tileImagePx); tx <= txLast; tx++) {
      const runs = contour.edges(level, tx, ty);
      for (let k = 0; k < runs.length; k += 4) {
        const x0 = Math.round(ox + runs[k]! * unit);
        const y0 = Math.round(oy + runs[k + 1]! * unit);
        const x1 = Math.round(ox + runs[k + 2]! * unit);
        const y1 = Math.round(oy + runs[k + 3]! * unit);
        if (y0 === y1) emit(x0, y0, Math.max(1, x1 - x0 + 1), 1);
        else emit(x0, y0, 1, Math.max(1, y1 - y0 + 1));
      }
    }
  }
}

let antsPattern: { context: CanvasRenderingContext2D; pattern: CanvasPattern | null } | null = null;

/** Light and dark dashes (diagonal stripes seen through a 1-pixel line): visible on every photo. */
function ants(context: CanvasRenderingContext2D): CanvasPattern | string {
  if (antsPattern?.context !== context) {
    const tile = new OffscreenCanvas(8, 8);
    const tileContext = tile.getContext('2d');
    if (tileContext) {
      for (let y = 0; y < 8; y++) {
        for (let x = 0; x < 8; x++) {
          tileContext.fillStyle = (x + y) % 8 < 4 ? '#ffffff' : '#111111';
          tileContext.fillRect(x, y, 1, 1);
        }
      }
    }
    antsPattern = { context, pattern: tileContext ? context.createPattern(tile, 'repeat') : null };
  }
  return antsPattern.pattern ?? '#ffffff';
}

/** Draws the outline of `contour` over the canvas (in device pixels). */
export function drawOutline(context: CanvasRenderingContext2D, contour: MaskContour, stage: Stage): void {
  context.setTransform(1, 0, 0, 1, 0, 0);
  const path = new Path2D();
  outlineRects(contour, stage, (x, y, width, height) => path.rect(x, y, width, height));
  context.fillStyle = ants(context);
  context.fill(path);
}
