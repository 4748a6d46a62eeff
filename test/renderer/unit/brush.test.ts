import { describe, expect, it } from 'vitest';
import { dabCoverage, fillPolygon, stampDab, strokeSegment } from '../../../renderer/src/canvas/brush';
import { createMask } from '../../../shared/image/types';

function count(data: Uint8Array, predicate: (v: number) => boolean): number {
  let n = 0;
  for (const v of data) if (predicate(v)) n++;
  return n;
}

describe('brush', () => {
  it.each([
    { d: 0, hardness: 1, expected: 255 },
    { d: 9.9, hardness: 1, expected: 255 },
    { d: 10, hardness: 1, expected: 0 },
    { d: 5, hardness: 0.5, expected: 255 },
    { d: 7.5, hardness: 0.5, expected: 128 },
    { d: 5, hardness: 0, expected: 128 },
  ])('covers $expected at distance $d with hardness $hardness (r = 10)', ({ d, hardness, expected }) => {
    expect(dabCoverage(d, { radiusImagePx: 10, hardness, mode: 'paint' })).toBe(expected);
  });

  it('stamps a hard disc of about πr² pixels and reports its bounds', () => {
    const mask = createMask(100, 100);
    const dirty = stampDab(mask, { x: 50, y: 50 }, { radiusImagePx: 10, hardness: 1, mode: 'paint' });
    const painted = count(mask.data, (v) => v === 255);
    expect(painted).toBeGreaterThan(300);
    expect(painted).toBeLessThan(330);
    expect(count(mask.data, (v) => v !== 0 && v !== 255)).toBe(0);
    expect(dirty).toEqual({ x0: 40, y0: 40, x1: 61, y1: 61 });
    expect(mask.data[50 * 100 + 50]).toBe(255);
    expect(mask.data[50 * 100 + 61]).toBe(0);
  });

  it('erases what was painted, clips at the edges, and reports null when nothing changes', () => {
    const mask = createMask(20, 20);
    const brush = { radiusImagePx: 4, hardness: 1, mode: 'paint' } as const;
    expect(stampDab(mask, { x: 0, y: 0 }, brush)).toEqual({ x0: 0, y0: 0, x1: 5, y1: 5 });
    expect(stampDab(mask, { x: 0, y: 0 }, brush)).toBeNull();
    stampDab(mask, { x: 0, y: 0 }, { ...brush, mode: 'erase', radiusImagePx: 6 });
    expect(count(mask.data, (v) => v > 0)).toBe(0);
    expect(stampDab(mask, { x: -50, y: 5 }, brush)).toBeNull();
  });

  it('strokes a continuous line between two points', () => {
    const mask = createMask(200, 40);
    const dirty = strokeSegment(
      mask,
      { x: 10, y: 20 },
      { x: 190, y: 20 },
      { radiusImagePx: 3, hardness: 1, mode: 'paint' },
    );
    for (let x = 10; x < 190; x++) expect(mask.data[20 * 200 + x]).toBe(255);
    // The first dab belongs to the previous segment (or the pointer-down dab).
    expect(dirty).toEqual({ x0: 8, y0: 17, x1: 194, y1: 24 });
  });

  it('fills a lasso polygon at pixel centres', () => {
    const mask = createMask(10, 10);
    const dirty = fillPolygon(
      mask,
      [
        { x: 2, y: 2 },
        { x: 6, y: 2 },
        { x: 6, y: 5 },
        { x: 2, y: 5 },
      ],
      255,
    );
    expect(count(mask.data, (v) => v === 255)).toBe(12);
    expect(dirty).toEqual({ x0: 2, y0: 2, x1: 6, y1: 5 });
    expect(
      fillPolygon(
        mask,
        [
          { x: 1, y: 1 },
          { x: 2, y: 2 },
        ],
        255,
      ),
    ).toBeNull();
  });
});
