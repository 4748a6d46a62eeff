import { join } from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { cropRgb, resizeRgb } from '../../../../shared/image/resize';
import type { RgbImage } from '../../../../shared/image/types';
import { imagesDir } from '../../image/helpers';

function rgb(width: number, height: number, pixel: (x: number, y: number) => [number, number, number]): RgbImage {
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) data.set(pixel(x, y), (y * width + x) * 3);
  return { width, height, data };
}

function meanColour(image: RgbImage): number[] {
  const sums = [0, 0, 0];
  for (let i = 0; i < image.data.length; i++) sums[i % 3]! += image.data[i]!;
  return sums.map((s) => s / (image.width * image.height));
}

describe('resizeRgb', () => {
  it('returns an equal-size image unchanged (as a copy)', () => {
    const image = rgb(5, 4, (x, y) => [x * 40, y * 60, 7]);
    const same = resizeRgb(image, 5, 4);
    expect(same.data).toEqual(image.data);
    expect(same.data).not.toBe(image.data);
  });

  it('averages areas exactly when shrinking by an integer factor', () => {
    const image = rgb(4, 2, (x, y) => [x * 10 + y * 100, 255 - x, x % 2 === 0 ? 0 : 255]);
    const half = resizeRgb(image, 2, 1);
    // Each destination pixel is the mean of a 2×2 block.
    expect(Array.from(half.data)).toEqual([
      Math.round((0 + 10 + 100 + 110) / 4),
      Math.round((255 + 254 + 255 + 254) / 4),
      128,
      Math.round((20 + 30 + 120 + 130) / 4),
      Math.round((253 + 252 + 253 + 252) / 4),
      128,
    ]);
  });

  it('weights partial pixels when shrinking by a fractional factor', () => {
    // 3 → 2: destination 0 covers source 0 fully and half of source 1.
    const image = rgb(3, 1, (x) => [[0, 90, 210][x]!, 0, 0]);
    expect(Array.from(resizeRgb(image, 2, 1).data.filter((_, i) => i % 3 === 0))).toEqual([30, 170]);
  });

  it('interpolates bilinearly on pixel centres when enlarging', () => {
    const image = rgb(2, 1, (x) => [x === 0 ? 0 : 200, 100, 100]);
    const wide = resizeRgb(image, 4, 1);
    // Centres at source x = -0.25 (clamped to 0), 0.25, 0.75, 1.25 (clamped to 1).
    expect(Array.from(wide.data.filter((_, i) => i % 3 === 0))).toEqual([0, 50, 150, 200]);
    expect(Array.from(wide.data.filter((_, i) => i % 3 === 1))).toEqual([100, 100, 100, 100]);
  });

  it('keeps the mean colour of a real photo when shrinking and enlarging', async () => {
    const { data, info } = await sharp(join(imagesDir, 'coffee.png'))
      .removeAlpha()
      .raw()
      .toBuffer({ resolveWithObject: true });
    const coffee: RgbImage = { width: info.width, height: info.height, data: new Uint8Array(data) };
    const before = meanColour(coffee);
    for (const [w, h] of [
      [150, 100],
      [257, 171],
      [1200, 800],
    ] as const) {
      const resized = resizeRgb(coffee, w, h);
      expect(resized.data.length).toBe(w * h * 3);
      const after = meanColour(resized);
      for (let c = 0; c < 3; c++) expect(Math.abs(after[c]! - before[c]!)).toBeLessThan(1);
    }
  });

  it('rejects bad sizes and inconsistent images', () => {
    const image = rgb(2, 2, () => [0, 0, 0]);
    expect(() => resizeRgb(image, 0, 5)).toThrow(/positive integers/);
    expect(() => resizeRgb(image, 2.5, 5)).toThrow(/positive integers/);
    expect(() => resizeRgb({ width: 2, height: 2, data: new Uint8Array(11) }, 1, 1)).toThrow(/expected 2×2×3/);
  });
});

describe('cropRgb', () => {
  it('copies exactly the rectangle', () => {
    const image = rgb(6, 5, (x, y) => [x, y, x * y]);
    const crop = cropRgb(image, { x0: 2, y0: 1, x1: 5, y1: 4 });
    expect(crop).toMatchObject({ width: 3, height: 3 });
    expect(Array.from(crop.data.subarray(0, 3))).toEqual([2, 1, 2]);
    expect(Array.from(crop.data.subarray(24, 27))).toEqual([4, 3, 12]);
  });

  it('rejects empty, fractional or outside rectangles', () => {
    const image = rgb(6, 5, () => [0, 0, 0]);
    expect(() => cropRgb(image, { x0: 2, y0: 1, x1: 2, y1: 4 })).toThrow(/empty or outside/);
    expect(() => cropRgb(image, { x0: -1, y0: 1, x1: 2, y1: 4 })).toThrow(/empty or outside/);
    expect(() => cropRgb(image, { x0: 0, y0: 0, x1: 7, y1: 4 })).toThrow(/empty or outside/);
    expect(() => cropRgb(image, { x0: 0.5, y0: 0, x1: 2, y1: 4 })).toThrow(/integers/);
  });
});
