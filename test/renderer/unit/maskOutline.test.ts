import { describe, expect, it } from 'vitest';
import type { Mask } from '../../../shared/image/types';
import { outlineRects } from '../../../renderer/src/canvas/drawOutline';
import type { Stage } from '../../../renderer/src/canvas/drawLayers';
import { MaskContour, contourTilePx } from '../../../renderer/src/canvas/maskContour';

function maskWith(width: number, height: number, inside: (x: number, y: number) => boolean): Mask {
  const data = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) data[y * width + x] = inside(x, y) ? 255 : 0;
  return { width, height, data };
}

/** The device pixels the outline covers, as "x,y" strings, and its rectangles. */
function covered(contour: MaskContour, stage: Stage): { pixels: Set<string>; rects: number[][] } {
  const pixels = new Set<string>();
  const rects: number[][] = [];
  outlineRects(contour, stage, (x, y, width, height) => {
    rects.push([x, y, width, height]);
    for (let j = 0; j < height; j++) for (let i = 0; i < width; i++) pixels.add(`${x + i},${y + j}`);
  });
  return { pixels, rects };
}

/** A rectangle's 1-pixel ring in device pixels: columns xa and xb, rows ya and yb, corners included. */
function ring(xa: number, ya: number, xb: number, yb: number): Set<string> {
  const out = new Set<string>();
  for (let x = xa; x <= xb; x++) out.add(`${x},${ya}`).add(`${x},${yb}`);
  for (let y = ya; y <= yb; y++) out.add(`${xa},${y}`).add(`${xb},${y}`);
  return out;
}

function stageAt(scale: number, offset: number, dpr = 1, size = 64): Stage {
  return {
    view: { scale, offsetXCanvasPx: offset, offsetYCanvasPx: offset },
    image: { width: size, height: size },
    viewport: { width: 4000, height: 4000 },
    dpr,
  };
}

describe('mask outline', () => {
  // Inside: x in [8, 24), y in [16, 40) of a 64×64 mask.
  const mask = maskWith(64, 64, (x, y) => x >= 8 && x < 24 && y >= 16 && y < 40);

  it.each([
    { scale: 1, offset: 10, dpr: 1 },
    { scale: 4, offset: 3, dpr: 1 },
    { scale: 2.5, offset: 7.3, dpr: 1 },
    { scale: 8, offset: -20, dpr: 2 },
  ])('is exactly a one-device-pixel ring around the region at zoom $scale (dpr $dpr)', ({ scale, offset, dpr }) => {
    const { pixels, rects } = covered(new MaskContour(mask), stageAt(scale, offset, dpr));
    const at = (v: number) => Math.round(dpr * (offset + v * scale));
    expect(pixels).toEqual(ring(at(8), at(16), at(24), at(40)));
    for (const [x, y, width, height] of rects) {
      expect([x, y, width, height].every(Number.isInteger)).toBe(true);
      expect(Math.min(width!, height!)).toBe(1);
    }
  });

  it('zoomed out, outlines a coarser level with lines still one device pixel wide', () => {
    const big = maskWith(1024, 1024, (x, y) => (x - 500) ** 2 + (y - 480) ** 2 < 300 ** 2);
    const contour = new MaskContour(big);
    const stage: Stage = { ...stageAt(0.125, 0, 1, 1024), image: { width: 1024, height: 1024 } };
    expect(MaskContour.levelFor(0.125)).toBe(3);
    const { pixels, rects } = covered(contour, stage);
    // A circle of radius 300 shown at 1/8: radius 37.5 device px; its 1-px outline has ~4·2·37.5 pixels.
    expect(pixels.size).toBeGreaterThan(200);
    expect(pixels.size).toBeLessThan(400);
    for (const key of pixels) {
      const [x, y] = key.split(',').map(Number);
      expect(Math.abs(Math.hypot(x! - 62.5, y! - 60) - 37.5)).toBeLessThan(2.5);
    }
    expect(rects.every(([, , width, height]) => Math.min(width!, height!) === 1)).toBe(true);
  });

  it('computes tiles once while the mask is unchanged, and again only where a change touched them', () => {
    const size = contourTilePx * 4;
    const big = maskWith(size, size, (x, y) => x > 40 && x < size - 40 && y > 40 && y < size - 40);
    const contour = new MaskContour(big);
    const stage = { ...stageAt(1, 0, 1, size), image: { width: size, height: size } };
    const first = covered(contour, stage).pixels;
    expect(contour.computedTiles).toBe(16);
    covered(contour, stage);
    covered(contour, stage);
    expect(contour.computedTiles).toBe(16);

    // Paint a notch into tile (0, 0): only that tile and its right / lower neighbours at the edge are redone.
    for (let y = 10; y < 20; y++) for (let x = 10; x < 20; x++) big.data[y * size + x] = 255;
    contour.invalidate({ x0: 10, y0: 10, x1: 20, y1: 20 });
    const second = covered(contour, stage).pixels;
    expect(contour.computedTiles).toBe(17);
    expect(second.size).toBe(first.size + 40);
    expect(second.has('10,10') && second.has('20,15')).toBe(true);

    // A change on a tile border redoes both sides.
    big.data[(contourTilePx - 1) * size + 60] = 0;
    contour.invalidate({ x0: 60, y0: contourTilePx - 1, x1: 61, y1: contourTilePx });
    const before = contour.computedTiles;
    const third = covered(contour, stage).pixels;
    expect(contour.computedTiles - before).toBe(2);
    expect(third.has(`60,${contourTilePx - 1}`) && third.has(`60,${contourTilePx}`)).toBe(true);
  });

  it('draws only the tiles in view', () => {
    const size = contourTilePx * 8;
    const contour = new MaskContour(maskWith(size, size, (x, y) => (x + y) % 97 < 40));
    const stage: Stage = {
      view: { scale: 2, offsetXCanvasPx: -contourTilePx * 4, offsetYCanvasPx: -contourTilePx * 4 },
      image: { width: size, height: size },
      viewport: { width: 200, height: 150 },
      dpr: 1,
    };
    covered(contour, stage);
    expect(contour.computedTiles).toBeLessThanOrEqual(4);
  });
});
