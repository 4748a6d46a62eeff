import { createRequire } from 'node:module';
import { join } from 'node:path';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { canny, toGray } from '../../../shared/image/canny';
import type { GrayImage, RgbImage } from '../../../shared/image/types';

/** The slice of OpenCV.js this test uses (the package's own typings are too loose to lint cleanly). */
interface CvMat {
  readonly data: Uint8Array;
  delete(): void;
}
interface OpenCv {
  Mat: new (rows?: number, cols?: number, type?: number) => CvMat;
  CV_8UC1: number;
  CV_8UC3: number;
  COLOR_RGB2GRAY: number;
  cvtColor(src: CvMat, dst: CvMat, code: number): void;
  Canny(src: CvMat, dst: CvMat, low: number, high: number): void;
  onRuntimeInitialized?: () => void;
}

const photosDir = join(import.meta.dirname, '..', '..', 'fixtures', 'images');
const photoNames = ['astronaut', 'chelsea', 'coffee', 'grass'] as const;
const thresholdPairs = [
  [100, 200],
  [50, 150],
  [20, 60],
] as const;

let cv: OpenCv;
const photos = new Map<string, RgbImage>();

beforeAll(async () => {
  const loaded = createRequire(import.meta.url)('@techstark/opencv-js') as OpenCv;
  // The emscripten module is a thenable that resolves to itself, so it must not be awaited directly.
  await new Promise<void>((resolve) => {
    if (typeof (loaded as Partial<OpenCv>).Mat === 'function') resolve();
    else loaded.onRuntimeInitialized = resolve;
  });
  cv = loaded;
  for (const name of photoNames) {
    const { data, info } = await sharp(join(photosDir, `${name}.png`))
      .removeAlpha()
      .toColorspace('srgb')
      .raw()
      .toBuffer({ resolveWithObject: true });
    expect(info.channels).toBe(3);
    photos.set(name, { width: info.width, height: info.height, data: new Uint8Array(data) });
  }
});

function photo(name: string): RgbImage {
  const image = photos.get(name);
  if (!image) throw new Error(`photo ${name} not loaded`);
  return image;
}

function openCvGray(rgb: RgbImage): GrayImage {
  const src = new cv.Mat(rgb.height, rgb.width, cv.CV_8UC3);
  const dst = new cv.Mat();
  try {
    src.data.set(rgb.data);
    cv.cvtColor(src, dst, cv.COLOR_RGB2GRAY);
    return { width: rgb.width, height: rgb.height, data: new Uint8Array(dst.data) };
  } finally {
    src.delete();
    dst.delete();
  }
}

function openCvCanny(gray: GrayImage, low: number, high: number): GrayImage {
  const src = new cv.Mat(gray.height, gray.width, cv.CV_8UC1);
  const dst = new cv.Mat();
  try {
    src.data.set(gray.data);
    cv.Canny(src, dst, low, high);
    return { width: gray.width, height: gray.height, data: new Uint8Array(dst.data) };
  } finally {
    src.delete();
    dst.delete();
  }
}

/** Edge-pixel F1 of `ours` against `reference`, and the number of differing pixels. */
function compare(ours: GrayImage, reference: GrayImage): { f1: number; differing: number; edges: number } {
  let both = 0;
  let oursCount = 0;
  let referenceCount = 0;
  let differing = 0;
  for (let i = 0; i < ours.data.length; i++) {
    const a = ours.data[i]! !== 0;
    const b = reference.data[i]! !== 0;
    if (a && b) both++;
    if (a) oursCount++;
    if (b) referenceCount++;
    if (ours.data[i] !== reference.data[i]) differing++;
  }
  const f1 = oursCount + referenceCount === 0 ? 1 : (2 * both) / (oursCount + referenceCount);
  return { f1, differing, edges: referenceCount };
}

/** A deterministic test pattern: a 32-bit LCG, so the test needs nothing from the code under test. */
function noiseImage(width: number, height: number, seed: number, smooth: boolean): GrayImage {
  const data = new Uint8Array(width * height);
  let state = seed >>> 0;
  for (let i = 0; i < data.length; i++) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    data[i] = state >>> 24;
  }
  if (smooth) {
    // Blocky structure gives long connected edges (exercises hysteresis), the LCG noise gives ties and diagonals.
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const block = ((x >> 3) + (y >> 3)) % 2 === 0 ? 160 : 40;
        data[y * width + x] = (block + (data[y * width + x]! >> 3)) & 255;
      }
    }
  }
  return { width, height, data };
}

describe('toGray', () => {
  it("is byte-identical to OpenCV's cvtColor(RGB2GRAY) on every photo", () => {
    for (const name of photoNames) {
      const rgb = photo(name);
      const ours = toGray(rgb);
      expect(ours.width).toBe(rgb.width);
      expect(ours.height).toBe(rgb.height);
      expect(compare(ours, openCvGray(rgb)).differing, name).toBe(0);
    }
  });

  it('uses the rounded 0.299 / 0.587 / 0.114 weights', () => {
    const rgb: RgbImage = { width: 4, height: 1, data: new Uint8Array([255, 0, 0, 0, 255, 0, 0, 0, 255, 96, 64, 2]) };
    // 255·0.299 = 76.2, 255·0.587 = 149.7, 255·0.114 = 29.1; (96·9798 + 64·19235 + 2·3735 + 16384) >> 15 = 67.
    expect([...toGray(rgb).data]).toEqual([76, 150, 29, 67]);
  });

  it('refuses data of the wrong length', () => {
    expect(() => toGray({ width: 2, height: 2, data: new Uint8Array(11) })).toThrow(/needs 12/);
  });
});

describe('canny', () => {
  it('matches cv.Canny on the real photographs (edge-pixel F1 ≥ 0.95; in practice byte-identical)', () => {
    for (const name of photoNames) {
      const gray = toGray(photo(name));
      for (const [low, high] of thresholdPairs) {
        const { f1, differing, edges } = compare(canny(gray, { low, high }), openCvCanny(gray, low, high));
        console.log(`canny ${name} ${low}/${high}: F1 ${f1.toFixed(5)}, ${differing} pixels differ, ${edges} edges`);
        expect(edges).toBeGreaterThan(1000);
        expect(f1).toBeGreaterThanOrEqual(0.95);
        expect(differing).toBe(0);
      }
    }
  });

  it('defaults to 100 / 200 and swaps reversed thresholds as OpenCV does', () => {
    const gray = toGray(photo('coffee'));
    const reference = openCvCanny(gray, 100, 200);
    expect(compare(canny(gray), reference).differing).toBe(0);
    expect(compare(canny(gray, { low: 200, high: 100 }), reference).differing).toBe(0);
    // Fractional thresholds are floored (OpenCV's cvFloor).
    expect(compare(canny(gray, { low: 100.9, high: 200.5 }), reference).differing).toBe(0);
  });

  it('matches cv.Canny at the borders, on ties and on thin images', () => {
    const sizes = [
      [1, 1],
      [1, 7],
      [9, 1],
      [2, 2],
      [3, 5],
      [37, 23],
      [64, 64],
    ] as const;
    let seed = 1;
    for (const [width, height] of sizes) {
      for (const smooth of [false, true]) {
        const gray = noiseImage(width, height, seed++, smooth);
        for (const [low, high] of [...thresholdPairs, [0, 0] as const]) {
          const { differing } = compare(canny(gray, { low, high }), openCvCanny(gray, low, high));
          expect(differing, `${width}×${height} smooth=${smooth} ${low}/${high}`).toBe(0);
        }
      }
    }
  });

  it('outlines a filled square', () => {
    const size = 64;
    const gray: GrayImage = { width: size, height: size, data: new Uint8Array(size * size) };
    // White square covering x, y in [16, 47].
    for (let y = 16; y < 48; y++) gray.data.fill(255, y * size + 16, y * size + 48);
    const edges = canny(gray);
    expect(compare(edges, openCvCanny(gray, 100, 200)).differing).toBe(0);
    const at = (x: number, y: number): number => edges.data[y * size + x]!;
    // Away from the corners each side is one unbroken 1-pixel line: the left/top on the dark side (the suppression
    // keeps the first of two equal maxima), the right/bottom on the bright side.
    for (let k = 18; k <= 45; k++) {
      expect([at(14, k), at(15, k), at(16, k)]).toEqual([0, 255, 0]);
      expect([at(46, k), at(47, k), at(48, k)]).toEqual([0, 255, 0]);
      expect([at(k, 14), at(k, 15), at(k, 16)]).toEqual([0, 255, 0]);
      expect([at(k, 46), at(k, 47), at(k, 48)]).toEqual([0, 255, 0]);
    }
    // Nothing far from the outline, inside or out.
    for (let y = 0; y < size; y++) {
      for (let x = 0; x < size; x++) {
        const nearOutline = x >= 14 && x <= 49 && y >= 14 && y <= 49 && !(x >= 18 && x <= 45 && y >= 18 && y <= 45);
        if (!nearOutline) expect(at(x, y), `(${x}, ${y})`).toBe(0);
      }
    }
  });

  it('finds no edges in a flat image and only 0/255 values', () => {
    const flat: GrayImage = { width: 32, height: 16, data: new Uint8Array(32 * 16).fill(128) };
    expect(canny(flat).data.every((v) => v === 0)).toBe(true);
    const edges = canny(toGray(photo('astronaut')));
    expect(edges.data.every((v) => v === 0 || v === 255)).toBe(true);
  });

  it('refuses bad input with one line', () => {
    expect(() => canny({ width: 4, height: 4, data: new Uint8Array(15) })).toThrow(/needs 16/);
    expect(() => canny({ width: 0, height: 4, data: new Uint8Array(0) })).toThrow(/size/);
    expect(() => canny(noiseImage(4, 4, 1, false), { low: Number.NaN })).toThrow(/finite/);
  });
});
