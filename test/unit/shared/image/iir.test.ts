import { createRequire } from 'node:module';
import { beforeAll, describe, expect, it } from 'vitest';
import { removeInformation } from '../../../../shared/image/iir';
import type { Mask, RgbImage } from '../../../../shared/image/types';
import { loadPhotoRgb as loadRgb } from '../../image/helpers';

/** A hard ellipse in the middle, a soft (128) band around it, 0 elsewhere. */
function ellipseMask(width: number, height: number): Mask {
  const data = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const d = ((x - width / 2) / (width / 4)) ** 2 + ((y - height / 2) / (height / 4)) ** 2;
      data[y * width + x] = d <= 1 ? 255 : d <= 1.3 ? 128 : 0;
    }
  }
  return { width, height, data };
}

/** Byte equality without vitest's element-by-element deep diff, which takes seconds on images. */
function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
}

function uniformImage(width: number, height: number, value: number): RgbImage {
  return { width, height, data: new Uint8Array(width * height * 3).fill(value) };
}

function fullMask(width: number, height: number): Mask {
  return { width, height, data: new Uint8Array(width * height).fill(255) };
}

let chelsea: RgbImage;
let mask: Mask;

beforeAll(async () => {
  chelsea = await loadRgb('chelsea.png');
  mask = ellipseMask(chelsea.width, chelsea.height);
});

describe('removeInformation', () => {
  it('leaves every pixel outside the mask byte-identical (scope roi), and does not touch its inputs', () => {
    const before = chelsea.data.slice();
    const maskBefore = mask.data.slice();
    const out = removeInformation(chelsea, mask, { noise: 0.4, seed: 3 });
    expect(sameBytes(chelsea.data, before)).toBe(true);
    expect(sameBytes(mask.data, maskBefore)).toBe(true);
    let changedInside = 0;
    let changedOutside = 0;
    let outsideCount = 0;
    for (let i = 0; i < mask.data.length; i++) {
      const same =
        out.data[i * 3] === chelsea.data[i * 3] &&
        out.data[i * 3 + 1] === chelsea.data[i * 3 + 1] &&
        out.data[i * 3 + 2] === chelsea.data[i * 3 + 2];
      if (mask.data[i] === 0) {
        outsideCount++;
        if (!same) changedOutside++;
      } else if (!same) changedInside++;
    }
    expect(outsideCount).toBeGreaterThan(0.5 * mask.data.length);
    expect(changedOutside).toBe(0);
    expect(changedInside).toBeGreaterThan(0.9 * mask.data.filter((m) => m > 0).length);
  });

  it("turns the RoI into OpenCV's RGB→GRAY exactly when σ = 0", async () => {
    const require = createRequire(import.meta.url);
    // eslint-disable-next-line @typescript-eslint/no-unsafe-assignment -- OpenCV.js is an untyped Emscripten module here
    const cv = require('@techstark/opencv-js');
    await new Promise<void>((resolve) => {
      // eslint-disable-next-line @typescript-eslint/no-unsafe-member-access
      if (cv.Mat) resolve();
      // eslint-disable-next-line @typescript-eslint/no-unsafe-member-access
      else cv.onRuntimeInitialized = () => resolve();
    });
    /* eslint-disable @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-call */
    const src = cv.matFromArray(chelsea.height, chelsea.width, cv.CV_8UC3, Array.from(chelsea.data));
    const dst = new cv.Mat();
    cv.cvtColor(src, dst, cv.COLOR_RGB2GRAY);
    const reference = new Uint8Array(dst.data as Uint8Array);
    src.delete();
    dst.delete();
    /* eslint-enable @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-call */

    const out = removeInformation(chelsea, fullMask(chelsea.width, chelsea.height), { noise: 0 });
    const expected = new Uint8Array(reference.length * 3);
    for (let i = 0; i < reference.length; i++) expected.fill(reference[i]!, i * 3, i * 3 + 3);
    expect(sameBytes(out.data, expected)).toBe(true);
  });

  it('blends a soft mask value by m/255', () => {
    const image: RgbImage = { width: 1, height: 1, data: Uint8Array.of(200, 40, 10) };
    const luma = (4899 * 200 + 9617 * 40 + 1868 * 10 + 8192) >> 14;
    const out = removeInformation(image, { width: 1, height: 1, data: Uint8Array.of(128) });
    expect(Array.from(out.data)).toEqual([200, 40, 10].map((v) => Math.round((v * 127 + luma * 128) / 255)));
    const noGray = removeInformation(image, fullMask(1, 1), { gray: false });
    expect(Array.from(noGray.data)).toEqual([200, 40, 10]);
  });

  it('adds noise with the requested standard deviation (within 5 %) and zero mean', () => {
    const size = 512;
    const gray = uniformImage(size, size, 128);
    for (const sigma of [0.02, 0.1, 0.2]) {
      const out = removeInformation(gray, fullMask(size, size), { gray: false, noise: sigma, seed: 9 });
      let sum = 0;
      let sumSquares = 0;
      for (const v of out.data) {
        const d = v - 128;
        sum += d;
        sumSquares += d * d;
      }
      const n = out.data.length;
      const mean = sum / n;
      const std = Math.sqrt(sumSquares / n - mean * mean);
      expect(Math.abs(mean)).toBeLessThan(0.2);
      expect(Math.abs(std / (sigma * 255) - 1)).toBeLessThan(0.05);
    }
  });

  it('draws independent noise per channel and per pixel', () => {
    const size = 256;
    const out = removeInformation(uniformImage(size, size, 128), fullMask(size, size), {
      gray: false,
      noise: 0.1,
      seed: 1,
    });
    const d = Array.from(out.data, (v) => v - 128);
    const correlation = (offset: number, stride: number): number => {
      let sxy = 0;
      let sxx = 0;
      for (let i = 0; i + offset < d.length; i += stride) {
        sxy += d[i]! * d[i + offset]!;
        sxx += d[i]! * d[i]!;
      }
      return sxy / sxx;
    };
    expect(Math.abs(correlation(1, 3))).toBeLessThan(0.02); // R vs G of a pixel
    expect(Math.abs(correlation(2, 3))).toBeLessThan(0.02); // R vs B
    expect(Math.abs(correlation(3, 1))).toBeLessThan(0.02); // neighbouring pixels
    expect(Math.abs(correlation(size * 3, 1))).toBeLessThan(0.02); // the pixel below
  });

  it('is deterministic for a seed, differs between seeds, and keeps the noise where the mask changes', () => {
    const a = removeInformation(chelsea, mask, { noise: 0.3, seed: 77 });
    const b = removeInformation(chelsea, mask, { noise: 0.3, seed: 77 });
    const c = removeInformation(chelsea, mask, { noise: 0.3, seed: 78 });
    expect(sameBytes(a.data, b.data)).toBe(true);
    expect(sameBytes(a.data, c.data)).toBe(false);
    // Same seed, whole-image mask: pixels fully inside both masks get the same bytes.
    const whole = removeInformation(chelsea, fullMask(chelsea.width, chelsea.height), { noise: 0.3, seed: 77 });
    let compared = 0;
    let differing = 0;
    for (let i = 0; i < mask.data.length; i++) {
      if (mask.data[i] !== 255) continue;
      compared++;
      for (let c = 0; c < 3; c++) if (whole.data[i * 3 + c] !== a.data[i * 3 + c]) differing++;
    }
    expect(compared).toBeGreaterThan(1000);
    expect(differing).toBe(0);
  });

  it('gives the same golden bytes on every machine (a change of noise algorithm must show here)', () => {
    const gray = uniformImage(4, 2, 128);
    const out42 = removeInformation(gray, fullMask(4, 2), { gray: false, noise: 0.1, seed: 42 });
    expect(Array.from(out42.data)).toEqual([
      78, 112, 99, 113, 118, 81, 80, 135, 91, 78, 108, 142, 84, 174, 108, 125, 144, 136, 88, 159, 72, 95, 103, 124,
    ]);
    const outNegative = removeInformation(gray, fullMask(4, 2), { gray: false, noise: 0.1, seed: -7 });
    expect(Array.from(outNegative.data)).toEqual([
      139, 152, 123, 137, 143, 82, 113, 94, 146, 162, 95, 190, 119, 144, 126, 132, 93, 139, 123, 104, 133, 115, 127,
      135,
    ]);
  });

  it('clamps to [0, 255] without wrapping', () => {
    // σ = 0.1 is 25.5 levels: nothing may land far from the start value, as a wrapped overflow would.
    const white = removeInformation(uniformImage(64, 64, 250), fullMask(64, 64), { gray: false, noise: 0.1 });
    const black = removeInformation(uniformImage(64, 64, 5), fullMask(64, 64), { gray: false, noise: 0.1 });
    expect(white.data.filter((v) => v === 255).length).toBeGreaterThan(0.35 * white.data.length);
    expect(white.data.filter((v) => v < 120).length).toBe(0);
    expect(black.data.filter((v) => v === 0).length).toBeGreaterThan(0.35 * black.data.length);
    expect(black.data.filter((v) => v > 135).length).toBe(0);
    // σ = 1 (the maximum): about half the samples clip at 255, P(z < −1) ≈ 16 % reach 0, none go missing.
    const extreme = removeInformation(uniformImage(128, 128, 255), fullMask(128, 128), { gray: false, noise: 1 });
    const n = extreme.data.length;
    expect(extreme.data.filter((v) => v === 255).length / n).toBeCloseTo(0.5, 1);
    expect(extreme.data.filter((v) => v === 0).length / n).toBeCloseTo(0.16, 1);
  });

  it("with scope 'image' adds noise everywhere but keeps colour outside the mask", () => {
    const out = removeInformation(chelsea, mask, { noise: 0.05, seed: 4, scope: 'image' });
    let outsideChanged = 0;
    let outsideCount = 0;
    let inputChroma = 0;
    let outputChroma = 0;
    let insideChroma = 0;
    let insideCount = 0;
    for (let i = 0; i < mask.data.length; i++) {
      const p = i * 3;
      if (mask.data[i] === 0) {
        outsideCount++;
        if (out.data[p] !== chelsea.data[p]) outsideChanged++;
        inputChroma += chelsea.data[p]! - chelsea.data[p + 2]!;
        outputChroma += out.data[p]! - out.data[p + 2]!;
      } else if (mask.data[i] === 255) {
        insideCount++;
        insideChroma += out.data[p]! - out.data[p + 2]!;
      }
    }
    expect(outsideChanged).toBeGreaterThan(0.8 * outsideCount);
    // Outside: the mean R−B difference (the cat's warm colour) survives; inside: gray + zero-mean noise.
    expect(Math.abs(outputChroma / outsideCount - inputChroma / outsideCount)).toBeLessThan(1);
    expect(inputChroma / outsideCount).toBeGreaterThan(10);
    expect(Math.abs(insideChroma / insideCount)).toBeLessThan(1);
  });

  it('rejects bad arguments with one-line messages', () => {
    const image = uniformImage(4, 4, 0);
    expect(() => removeInformation(image, fullMask(4, 4), { noise: 1.5 })).toThrow(
      /noise must be a number from 0 to 1/,
    );
    expect(() => removeInformation(image, fullMask(4, 4), { noise: -0.1 })).toThrow(/noise/);
    expect(() => removeInformation(image, fullMask(4, 4), { noise: Number.NaN })).toThrow(/noise/);
    expect(() => removeInformation(image, fullMask(4, 3))).toThrow(/must have the image's size/);
    expect(() => removeInformation(image, fullMask(4, 4), { scope: 'all' as 'roi' })).toThrow(/scope/);
    expect(() => removeInformation(image, fullMask(4, 4), { seed: 0.5 })).toThrow(/seed/);
    expect(() => removeInformation({ width: 4, height: 4, data: new Uint8Array(10) }, fullMask(4, 4))).toThrow(
      /expected 4×4×3/,
    );
  });
});
