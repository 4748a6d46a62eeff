import { describe, expect, it } from 'vitest';
import {
  actualSizeView,
  canvasToImagePx,
  fitView,
  imageToCanvasPx,
  maxScale,
  panBy,
  visibleImageRect,
  wheelZoomFactor,
  zoomAt,
} from '../../../renderer/src/canvas/viewTransform';

describe('view transform', () => {
  it.each([
    {
      view: { scale: 1, offsetXCanvasPx: 0, offsetYCanvasPx: 0 },
      imagePx: { x: 10, y: 20 },
      canvasPx: { x: 10, y: 20 },
    },
    {
      view: { scale: 2, offsetXCanvasPx: 5, offsetYCanvasPx: -3 },
      imagePx: { x: 10, y: 20 },
      canvasPx: { x: 25, y: 37 },
    },
    {
      view: { scale: 0.25, offsetXCanvasPx: 100, offsetYCanvasPx: 50 },
      imagePx: { x: 400, y: 0 },
      canvasPx: { x: 200, y: 50 },
    },
  ])('maps $imagePx ↔ $canvasPx at scale $view.scale', ({ view, imagePx, canvasPx }) => {
    expect(imageToCanvasPx(view, imagePx)).toEqual(canvasPx);
    expect(canvasToImagePx(view, canvasPx)).toEqual(imagePx);
  });

  it.each([
    { factor: 2, anchor: { x: 0, y: 0 } },
    { factor: 0.5, anchor: { x: 300, y: 200 } },
    { factor: 1.7, anchor: { x: 123.5, y: 7 } },
  ])('zooms ×$factor keeping the image point under $anchor fixed', ({ factor, anchor }) => {
    const view = { scale: 0.8, offsetXCanvasPx: 40, offsetYCanvasPx: -12 };
    const before = canvasToImagePx(view, anchor);
    const zoomed = zoomAt(view, factor, anchor);
    expect(zoomed.scale).toBeCloseTo(0.8 * factor, 12);
    const after = canvasToImagePx(zoomed, anchor);
    expect(after.x).toBeCloseTo(before.x, 9);
    expect(after.y).toBeCloseTo(before.y, 9);
  });

  it('clamps the zoom at the maximum and still keeps the anchor', () => {
    const view = zoomAt({ scale: 30, offsetXCanvasPx: 0, offsetYCanvasPx: 0 }, 10, { x: 60, y: 60 });
    expect(view.scale).toBe(maxScale);
    expect(canvasToImagePx(view, { x: 60, y: 60 })).toEqual({ x: 2, y: 2 });
  });

  it.each([
    { image: { width: 4000, height: 3000 }, viewport: { width: 832, height: 632 }, scale: 0.2, x: 16, y: 16 },
    { image: { width: 100, height: 50 }, viewport: { width: 800, height: 600 }, scale: 1, x: 350, y: 275 },
    { image: { width: 1000, height: 4000 }, viewport: { width: 1000, height: 432 }, scale: 0.1, x: 450, y: 16 },
  ])('fits $image.width×$image.height into $viewport.width×$viewport.height', ({ image, viewport, scale, x, y }) => {
    const view = fitView(image, viewport);
    expect(view.scale).toBeCloseTo(scale, 12);
    expect(view.offsetXCanvasPx).toBe(x);
    expect(view.offsetYCanvasPx).toBe(y);
  });

  it('shows 100 % centred', () => {
    expect(actualSizeView({ width: 2000, height: 1000 }, { width: 800, height: 600 })).toEqual({
      scale: 1,
      offsetXCanvasPx: -600,
      offsetYCanvasPx: -200,
    });
  });

  it('pans by canvas pixels and zooms in on a wheel-up notch, out on a wheel-down', () => {
    expect(panBy({ scale: 2, offsetXCanvasPx: 1, offsetYCanvasPx: 2 }, 10, -5)).toEqual({
      scale: 2,
      offsetXCanvasPx: 11,
      offsetYCanvasPx: -3,
    });
    expect(wheelZoomFactor(-100)).toBeGreaterThan(1.15);
    expect(wheelZoomFactor(100)).toBeLessThan(0.87);
    expect(wheelZoomFactor(100) * wheelZoomFactor(-100)).toBeCloseTo(1, 12);
  });

  it('finds the visible part of the image', () => {
    const view = { scale: 2, offsetXCanvasPx: -100, offsetYCanvasPx: 0 };
    expect(visibleImageRect(view, { width: 500, height: 100 }, { width: 400, height: 300 })).toEqual({
      x0: 50,
      y0: 0,
      x1: 250,
      y1: 100,
    });
    expect(
      visibleImageRect(
        { scale: 1, offsetXCanvasPx: 1000, offsetYCanvasPx: 0 },
        { width: 10, height: 10 },
        { width: 400, height: 300 },
      ),
    ).toBeNull();
  });
});
