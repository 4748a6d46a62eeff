import { describe, expect, it } from 'vitest';
import { differenceMap, splitFraction } from '../../../renderer/src/compare/compareMath';
import { createMask, type RgbImage } from '../../../shared/image/types';

/** A black RGB image. */
const createRgb = (width: number, height: number): RgbImage => ({
  width,
  height,
  data: new Uint8Array(width * height * 3),
});

describe('compare maths', () => {
  it.each([
    { x: 150, left: 100, width: 200, expected: 0.25 },
    { x: 50, left: 100, width: 200, expected: 0 },
    { x: 400, left: 100, width: 200, expected: 1 },
    { x: 10, left: 0, width: 0, expected: 0.5 },
  ])('split at $x over [$left, +$width] → $expected', ({ x, left, width, expected }) => {
    expect(splitFraction(x, left, width)).toBe(expected);
  });

  it('counts changed pixels inside and outside the mask and paints only the changes', () => {
    const a = createRgb(4, 2);
    const b = createRgb(4, 2);
    const mask = createMask(4, 2);
    mask.data[0] = 255;
    mask.data[1] = 255;
    b.data[0] = 10; // pixel 0, inside
    b.data[3 * 1 + 2] = 200; // pixel 1, inside
    b.data[3 * 5 + 1] = 1; // pixel 5, outside
    const { rgba, stats } = differenceMap(a, b, mask);
    expect(stats).toEqual({ changedPixels: 3, changedOutsideMask: 1, maxDifference: 200 });
    expect(rgba[3]).toBeGreaterThan(0);
    expect(rgba[4 * 2 + 3]).toBe(0);
    expect(rgba[4 * 5 + 3]).toBeGreaterThan(0);
  });

  it('counts nothing outside without a mask and refuses different sizes', () => {
    const a = createRgb(2, 2);
    const b = createRgb(2, 2);
    b.data.fill(9);
    expect(differenceMap(a, b, null).stats).toEqual({ changedPixels: 4, changedOutsideMask: 0, maxDifference: 9 });
    expect(() => differenceMap(a, createRgb(3, 2), null)).toThrow(/differ in size/);
  });
});
