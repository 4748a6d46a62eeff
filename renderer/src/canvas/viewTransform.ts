/** A view of the image on the canvas: canvasPx = imagePx · scale + offset. */
export interface View {
  readonly scale: number;
  readonly offsetXCanvasPx: number;
  readonly offsetYCanvasPx: number;
}

/** A point with its coordinate space in the field names. */
export interface PointPx {
  readonly x: number;
  readonly y: number;
}

/** A size in some pixel space. */
export interface SizePx {
  readonly width: number;
  readonly height: number;
}

export const minScale = 1 / 64;
export const maxScale = 32;

export function clampScale(scale: number): number {
  return Math.min(maxScale, Math.max(minScale, scale));
}

export function imageToCanvasPx(view: View, pointImagePx: PointPx): PointPx {
  return {
    x: pointImagePx.x * view.scale + view.offsetXCanvasPx,
    y: pointImagePx.y * view.scale + view.offsetYCanvasPx,
  };
}

export function canvasToImagePx(view: View, pointCanvasPx: PointPx): PointPx {
  return {
    x: (pointCanvasPx.x - view.offsetXCanvasPx) / view.scale,
    y: (pointCanvasPx.y - view.offsetYCanvasPx) / view.scale,
  };
}

/** Zooms by `factor` keeping the image point under `anchorCanvasPx` where it is (wheel zoom to cursor). */
export function zoomAt(view: View, factor: number, anchorCanvasPx: PointPx): View {
  const scale = clampScale(view.scale * factor);
  const anchorImagePx = canvasToImagePx(view, anchorCanvasPx);
  return {
    scale,
    offsetXCanvasPx: anchorCanvasPx.x - anchorImagePx.x * scale,
    offsetYCanvasPx: anchorCanvasPx.y - anchorImagePx.y * scale,
  };
}

export function panBy(view: View, dxCanvasPx: number, dyCanvasPx: number): View {
  return {
    ...view,
    offsetXCanvasPx: view.offsetXCanvasPx + dxCanvasPx,
    offsetYCanvasPx: view.offsetYCanvasPx + dyCanvasPx,
  };
}

/** The whole image centred in the viewport with `marginCanvasPx` around it, never enlarged beyond 100 %. */
export function fitView(image: SizePx, viewport: SizePx, marginCanvasPx = 16): View {
  const availableWidth = Math.max(1, viewport.width - 2 * marginCanvasPx);
  const availableHeight = Math.max(1, viewport.height - 2 * marginCanvasPx);
  const scale = clampScale(Math.min(1, availableWidth / image.width, availableHeight / image.height));
  return centredAt(image, viewport, scale);
}

/** 100 %: one image pixel per canvas pixel, centred. */
export function actualSizeView(image: SizePx, viewport: SizePx): View {
  return centredAt(image, viewport, 1);
}

function centredAt(image: SizePx, viewport: SizePx, scale: number): View {
  return {
    scale,
    offsetXCanvasPx: Math.round((viewport.width - image.width * scale) / 2),
    offsetYCanvasPx: Math.round((viewport.height - image.height * scale) / 2),
  };
}

/** Zoom factor of one wheel event: a notch (deltaY ±100) zooms by ~1.2×, trackpad deltas proportionally. */
export function wheelZoomFactor(deltaY: number): number {
  return Math.exp(-deltaY * 0.0018);
}

/** The part of the image (imagePx, integer, clipped) the viewport shows. */
export function visibleImageRect(
  view: View,
  image: SizePx,
  viewport: SizePx,
): { x0: number; y0: number; x1: number; y1: number } | null {
  const a = canvasToImagePx(view, { x: 0, y: 0 });
  const b = canvasToImagePx(view, { x: viewport.width, y: viewport.height });
  const x0 = Math.max(0, Math.floor(a.x));
  const y0 = Math.max(0, Math.floor(a.y));
  const x1 = Math.min(image.width, Math.ceil(b.x));
  const y1 = Math.min(image.height, Math.ceil(b.y));
  return x1 > x0 && y1 > y0 ? { x0, y0, x1, y1 } : null;
}
