import { join } from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import {
  dilateMask,
  dropIslands,
  erodeMask,
  featherMask,
  fillHoles,
  invertMask,
  isMaskEmpty,
  maskArea,
  maskBoundingBox,
  resizeMask,
  subtractMask,
  thresholdMask,
  unionMasks,
} from '../../../../shared/image/mask';
import { Rng } from '../../../../shared/image/random';
import type { Mask } from '../../../../shared/image/types';
import { imagesDir } from '../../image/helpers';

function maskOf(width: number, height: number, inside: (x: number, y: number) => boolean): Mask {
  const data = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) data[y * width + x] = inside(x, y) ? 255 : 0;
  return { width, height, data };
}

function randomMask(rng: Rng, width: number, height: number, density: number): Mask {
  const data = new Uint8Array(width * height);
  for (let i = 0; i < data.length; i++)
    data[i] = rng.nextFloat() < density ? 128 + (rng.nextUint32() % 128) : rng.nextUint32() % 128;
  return { width, height, data };
}

/** Dilation by definition: set when any hard pixel lies within Euclidean distance r. */
function bruteDilate(mask: Mask, r: number): Uint8Array {
  const { width, height, data } = mask;
  const out = new Uint8Array(width * height);
  const reach = Math.floor(r);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let hit = false;
      for (let dy = -reach; dy <= reach && !hit; dy++) {
        for (let dx = -reach; dx <= reach && !hit; dx++) {
          const nx = x + dx;
          const ny = y + dy;
          if (dx * dx + dy * dy > r * r || nx < 0 || ny < 0 || nx >= width || ny >= height) continue;
          hit = data[ny * width + nx]! >= 128;
        }
      }
      out[y * width + x] = hit ? 255 : 0;
    }
  }
  return out;
}

/** Erosion by definition: kept when every pixel within distance r is hard-set (outside the image counts as set). */
function bruteErode(mask: Mask, r: number): Uint8Array {
  const { width, height, data } = mask;
  const out = new Uint8Array(width * height);
  const reach = Math.floor(r);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let keep = true;
      for (let dy = -reach; dy <= reach && keep; dy++) {
        for (let dx = -reach; dx <= reach && keep; dx++) {
          const nx = x + dx;
          const ny = y + dy;
          if (dx * dx + dy * dy > r * r || nx < 0 || ny < 0 || nx >= width || ny >= height) continue;
          keep = data[ny * width + nx]! >= 128;
        }
      }
      out[y * width + x] = keep ? 255 : 0;
    }
  }
  return out;
}

function diskArea(r: number): number {
  let n = 0;
  for (let dy = -Math.floor(r); dy <= r; dy++)
    for (let dx = -Math.floor(r); dx <= r; dx++) if (dx * dx + dy * dy <= r * r) n++;
  return n;
}

describe('pixel-wise mask operations', () => {
  const a: Mask = { width: 4, height: 1, data: Uint8Array.of(0, 127, 128, 255) };
  const b: Mask = { width: 4, height: 1, data: Uint8Array.of(255, 100, 0, 55) };

  it('thresholds, inverts, unites and subtracts', () => {
    expect(Array.from(thresholdMask(a).data)).toEqual([0, 0, 255, 255]);
    expect(Array.from(thresholdMask(a, 127).data)).toEqual([0, 255, 255, 255]);
    expect(Array.from(invertMask(a).data)).toEqual([255, 128, 127, 0]);
    expect(Array.from(unionMasks(a, b).data)).toEqual([255, 127, 128, 255]);
    expect(Array.from(subtractMask(a, b).data)).toEqual([0, 127, 128, 200]);
    expect(Array.from(a.data)).toEqual([0, 127, 128, 255]);
  });

  it('rejects masks of different sizes and bad thresholds', () => {
    expect(() => unionMasks(a, { width: 2, height: 2, data: new Uint8Array(4) })).toThrow(/masks differ in size/);
    expect(() => thresholdMask(a, 300)).toThrow(/threshold/);
    expect(() => maskArea({ width: 3, height: 3, data: new Uint8Array(8) })).toThrow(/expected 3×3/);
  });

  it('measures bounding box, area and emptiness of known shapes', () => {
    const rect = maskOf(50, 40, (x, y) => x >= 10 && x < 30 && y >= 5 && y < 25);
    expect(maskBoundingBox(rect)).toEqual({ x0: 10, y0: 5, x1: 30, y1: 25 });
    expect(maskArea(rect)).toBe(400);
    const soft: Mask = { width: 3, height: 3, data: Uint8Array.of(0, 0, 0, 0, 20, 0, 0, 0, 200) };
    expect(maskBoundingBox(soft)).toEqual({ x0: 1, y0: 1, x1: 3, y1: 3 });
    expect(maskBoundingBox(soft, 128)).toEqual({ x0: 2, y0: 2, x1: 3, y1: 3 });
    expect(maskArea(soft)).toBe(1);
    expect(maskArea(soft, 1)).toBe(2);
    expect(maskBoundingBox(maskOf(5, 5, () => false))).toBeNull();
    expect(isMaskEmpty(maskOf(5, 5, () => false))).toBe(true);
    expect(isMaskEmpty(soft)).toBe(false);
    expect(isMaskEmpty(soft, 201)).toBe(true);
    // An L shape: the box spans both arms.
    const ell = maskOf(
      30,
      30,
      (x, y) => (x >= 3 && x < 6 && y >= 2 && y < 20) || (y >= 17 && y < 20 && x >= 3 && x < 25),
    );
    expect(maskBoundingBox(ell)).toEqual({ x0: 3, y0: 2, x1: 25, y1: 20 });
    expect(maskArea(ell)).toBe(3 * 18 + 3 * 19);
  });
});

describe('dilate and erode', () => {
  it('grows a single pixel into the digital disk of radius r', () => {
    const size = 61;
    const dot = maskOf(size, size, (x, y) => x === 30 && y === 30);
    const expected: Record<number, number> = { 0: 1, 1: 5, 2: 13, 3: 29, 5: 81, 10: 317 };
    for (const [r, area] of Object.entries(expected)) {
      const grown = dilateMask(dot, Number(r));
      expect(maskArea(grown)).toBe(area);
      expect(maskBoundingBox(grown)).toEqual({
        x0: 30 - Number(r),
        y0: 30 - Number(r),
        x1: 31 + Number(r),
        y1: 31 + Number(r),
      });
    }
    expect(maskArea(dilateMask(dot, 16))).toBe(diskArea(16));
    expect(maskArea(dilateMask(dot, 2.5))).toBe(diskArea(2.5));
  });

  it('matches the definition on random masks, for dilation and erosion', () => {
    const rng = new Rng(31);
    for (let trial = 0; trial < 12; trial++) {
      const mask = randomMask(rng, 23 + (trial % 5), 17 + trial, trial % 2 === 0 ? 0.05 : 0.8);
      const r = [0, 1, 1.5, 2, 3, 4.2][trial % 6]!;
      expect(dilateMask(mask, r).data).toEqual(bruteDilate(mask, r));
      expect(erodeMask(mask, r).data).toEqual(bruteErode(mask, r));
    }
  });

  it('erodes as the dual of dilation and shrinks a square by r on every side', () => {
    const rng = new Rng(8);
    const mask = randomMask(rng, 40, 30, 0.5);
    expect(erodeMask(mask, 3).data).toEqual(invertMask(dilateMask(invertMask(mask), 3)).data);
    const square = maskOf(40, 40, (x, y) => x >= 10 && x < 30 && y >= 10 && y < 30);
    expect(maskBoundingBox(erodeMask(square, 3))).toEqual({ x0: 13, y0: 13, x1: 27, y1: 27 });
    expect(maskArea(erodeMask(square, 3))).toBe(14 * 14);
    // A mask touching the border is not eaten from the border.
    const left = maskOf(20, 10, (x) => x < 8);
    expect(maskBoundingBox(erodeMask(left, 2))).toEqual({ x0: 0, y0: 0, x1: 6, y1: 10 });
  });

  it('matches the definition on a real photo (thresholded grass texture)', async () => {
    const { data, info } = await sharp(join(imagesDir, 'grass.png'))
      .extract({ left: 100, top: 100, width: 96, height: 80 })
      .greyscale()
      .raw()
      .toBuffer({ resolveWithObject: true });
    const grass: Mask = { width: info.width, height: info.height, data: new Uint8Array(data) };
    expect(dilateMask(grass, 3).data).toEqual(bruteDilate(grass, 3));
    expect(erodeMask(grass, 2).data).toEqual(bruteErode(grass, 2));
    expect(maskArea(dilateMask(grass, 3))).toBeGreaterThan(maskArea(grass));
  });

  it('rejects a negative radius', () => {
    expect(() =>
      dilateMask(
        maskOf(3, 3, () => true),
        -1,
      ),
    ).toThrow(/dilation must be from 0/);
    expect(() =>
      erodeMask(
        maskOf(3, 3, () => true),
        Number.NaN,
      ),
    ).toThrow(/erosion/);
  });
});

describe('featherMask', () => {
  it('keeps the interior at 255 and the far outside at 0, with a monotone ramp across the edge', () => {
    const mask = maskOf(120, 60, (x) => x >= 60);
    const soft = featherMask(mask, 12);
    for (let y = 0; y < 60; y++) {
      const row = Array.from(soft.data.subarray(y * 120, (y + 1) * 120));
      for (let x = 0; x < 120; x++) {
        if (x < 60 - 12) expect(row[x]).toBe(0);
        if (x >= 60 + 12) expect(row[x]).toBe(255);
        if (x > 0) expect(row[x]!).toBeGreaterThanOrEqual(row[x - 1]!);
      }
      expect(Math.abs(row[59]! + row[60]! - 255)).toBeLessThanOrEqual(2);
      expect(row[55]! > 0 && row[55]! < 128).toBe(true);
      expect(row[64]! > 128 && row[64]! < 255).toBe(true);
    }
  });

  it('keeps a full mask full, softens a square symmetrically and leaves px = 0 untouched', () => {
    expect(
      featherMask(
        maskOf(30, 20, () => true),
        9,
      ).data.every((v) => v === 255),
    ).toBe(true);
    const square = maskOf(80, 80, (x, y) => x >= 20 && x < 60 && y >= 20 && y < 60);
    const soft = featherMask(square, 8);
    expect(soft.data[40 * 80 + 40]).toBe(255);
    expect(soft.data[40 * 80 + 11]).toBe(0);
    expect(soft.data[40 * 80 + 12]).toBeGreaterThan(0);
    expect(soft.data[40 * 80 + 19]).toBe(soft.data[40 * 80 + 60]);
    expect(soft.data[19 * 80 + 40]).toBe(soft.data[60 * 80 + 40]);
    expect(featherMask(square, 0).data).toEqual(square.data);
    // A radius far larger than the mask still works (edges replicate).
    expect(featherMask(square, 300).data.length).toBe(6400);
  });
});

describe('resizeMask', () => {
  const hard = maskOf(37, 23, (x, y) => (x - 18) ** 2 + (y - 11) ** 2 < 64);

  it('nearest keeps a hard mask hard and duplicates pixels on an exact 2× enlargement', () => {
    for (const [w, h] of [
      [100, 61],
      [13, 7],
      [74, 46],
    ] as const) {
      const resized = resizeMask(hard, w, h, 'nearest');
      expect(resized.data.every((v) => v === 0 || v === 255)).toBe(true);
    }
    const doubled = resizeMask(hard, 74, 46);
    for (let y = 0; y < 46; y++) {
      for (let x = 0; x < 74; x++) {
        if (doubled.data[y * 74 + x] !== hard.data[(y >> 1) * 37 + (x >> 1)]) throw new Error(`differs at ${x},${y}`);
      }
    }
  });

  it('linear produces soft edges and preserves the covered area', () => {
    const big = maskOf(400, 400, (x, y) => x >= 100 && x < 301 && y >= 100 && y < 300);
    const small = resizeMask(big, 100, 100, 'linear');
    expect(small.data.some((v) => v > 0 && v < 255)).toBe(true);
    const covered = small.data.reduce((s, v) => s + v / 255, 0) * 16;
    expect(Math.abs(covered - maskArea(big))).toBeLessThan(8);
    expect(() => resizeMask(big, 0, 10)).toThrow(/positive integers/);
  });
});

describe('fillHoles and dropIslands', () => {
  // A ring (enclosed hole of 5×5 = 25 px) and a U whose notch opens to the top border.
  const shapes = maskOf(40, 20, (x, y) => {
    const inRing = x >= 2 && x < 11 && y >= 5 && y < 14 && !(x >= 4 && x < 9 && y >= 7 && y < 12);
    const inU = x >= 20 && x < 30 && y < 12 && !(x >= 23 && x < 27 && y < 9);
    return inRing || inU;
  });

  it('fills an enclosed hole but not a notch open to the border', () => {
    const filled = fillHoles(shapes);
    expect(maskArea(filled)).toBe(maskArea(shapes) + 25);
    expect(filled.data[9 * 40 + 6]).toBe(255);
    expect(filled.data[3 * 40 + 25]).toBe(0);
    expect(maskArea(fillHoles(shapes, 24))).toBe(maskArea(shapes));
    expect(maskArea(fillHoles(shapes, 25))).toBe(maskArea(shapes) + 25);
  });

  it('treats a ring closed only diagonally as enclosing its hole', () => {
    // A diamond outline: its pixels touch only at corners, but 4-connected background cannot leak out.
    const diamond = maskOf(21, 21, (x, y) => Math.abs(x - 10) + Math.abs(y - 10) === 6);
    const filled = fillHoles(diamond);
    expect(filled.data[10 * 21 + 10]).toBe(255);
    expect(maskArea(filled)).toBe(diskL1Area(6));
  });

  it('drops islands below the area and keeps the rest', () => {
    const blobs = maskOf(60, 30, (x, y) => {
      const tiny = x >= 2 && x < 4 && y >= 2 && y < 4; // 4 px
      const mid = x >= 10 && x < 13 && y >= 10 && y < 13; // 9 px
      const diagonalPair = (x === 20 && y === 20) || (x === 21 && y === 21); // 2 px, 8-connected
      const large = x >= 30 && x < 40 && y >= 5 && y < 15; // 100 px
      return tiny || mid || diagonalPair || large;
    });
    const cleaned = dropIslands(blobs, 9);
    expect(maskArea(cleaned)).toBe(109);
    expect(cleaned.data[2 * 60 + 2]).toBe(0);
    expect(cleaned.data[11 * 60 + 11]).toBe(255);
    expect(maskArea(dropIslands(blobs, 3))).toBe(113);
    expect(maskArea(dropIslands(blobs, 2))).toBe(115);
    expect(maskArea(dropIslands(blobs, 0))).toBe(115);
    expect(maskArea(dropIslands(blobs, 101))).toBe(0);
  });
});

function diskL1Area(r: number): number {
  return 2 * r * r + 2 * r + 1;
}
