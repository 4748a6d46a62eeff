import { describe, expect, it } from 'vitest';
import {
  computeWorkingFrame,
  extractWorkingMask,
  workingRgbToSource,
  type WorkingFrame,
} from '../../../../shared/image/geometry';
import { Rng } from '../../../../shared/image/random';
import type { Rect, RgbImage } from '../../../../shared/image/types';
import { loadPhotoRgb as loadRgb } from '../../image/helpers';

function contains(outer: Rect, inner: Rect): boolean {
  return outer.x0 <= inner.x0 && outer.y0 <= inner.y0 && outer.x1 >= inner.x1 && outer.y1 >= inner.y1;
}

function expectValidFrame(frame: WorkingFrame, width: number, height: number): void {
  expect(frame.width % 64).toBe(0);
  expect(frame.height % 64).toBe(0);
  expect(contains({ x0: 0, y0: 0, x1: width, y1: height }, frame.sourcePx)).toBe(true);
  const { x0, y0, x1, y1 } = frame.sourcePx;
  expect([x0, y0, x1, y1].every(Number.isInteger)).toBe(true);
  expect(frame.scaleX).toBeCloseTo(frame.width / (x1 - x0), 12);
  expect(frame.scaleY).toBeCloseTo(frame.height / (y1 - y0), 12);
}

describe('computeWorkingFrame, whole image', () => {
  it('scales the short side to 512 and rounds the long side to a multiple of 64', () => {
    const chelsea = computeWorkingFrame({ width: 451, height: 300 });
    expect(chelsea).toMatchObject({ sourcePx: { x0: 0, y0: 0, x1: 451, y1: 300 }, width: 768, height: 512 });
    expect(chelsea.scale).toBeCloseTo(512 / 300, 12);
    expect(computeWorkingFrame({ width: 300, height: 451 })).toMatchObject({ width: 512, height: 768 });
    expect(computeWorkingFrame({ width: 512, height: 512 })).toMatchObject({ width: 512, height: 512, scale: 1 });
    expect(computeWorkingFrame({ width: 4000, height: 3000 })).toMatchObject({ width: 704, height: 512 });
    expect(computeWorkingFrame({ width: 600, height: 400 }, { shortSide: 768 })).toMatchObject({
      width: 1152,
      height: 768,
    });
    expect(computeWorkingFrame({ width: 100, height: 80 }, { shortSide: 256 })).toMatchObject({
      width: 320,
      height: 256,
    });
  });

  it('keeps an extreme panorama within the long-side limit', () => {
    const frame = computeWorkingFrame({ width: 10000, height: 100 });
    expect(frame).toMatchObject({ width: 2048, height: 64 });
    expectValidFrame(frame, 10000, 100);
  });

  it('rejects bad sizes with one-line messages', () => {
    expect(() => computeWorkingFrame({ width: 451, height: 300 }, { shortSide: 500 })).toThrow(/multiple of 64/);
    expect(() => computeWorkingFrame({ width: 451, height: 300 }, { shortSide: 192 })).toThrow(/256 to 1024/);
    expect(() => computeWorkingFrame({ width: 451, height: 300 }, { shortSide: 1088 })).toThrow(/256 to 1024/);
    expect(() => computeWorkingFrame({ width: 0, height: 300 })).toThrow(/positive integers/);
    expect(() => computeWorkingFrame({ width: 10, height: 10 }, { maxLongSide: 256 })).toThrow(/long side/);
  });

  it('maps the frame edges onto the source rectangle edges, per axis', () => {
    const frame = computeWorkingFrame({ width: 451, height: 300 });
    expect(frame.sourcePx.x0 + frame.width / frame.scaleX).toBeCloseTo(451, 10);
    expect(frame.sourcePx.y0 + frame.height / frame.scaleY).toBeCloseTo(300, 10);
  });
});

describe('computeWorkingFrame, focus', () => {
  it('crops around the RoI with context, inside the image, aspect matched to the working size', () => {
    const roiPx = { x0: 100, y0: 60, x1: 260, y1: 200 };
    const frame = computeWorkingFrame({ width: 451, height: 300 }, { focus: { roiPx } });
    expectValidFrame(frame, 451, 300);
    expect(contains(frame.sourcePx, roiPx)).toBe(true);
    // 25 % of the 160-px box on every side: 240 px wide, 220 px tall at least.
    expect(frame.sourcePx.x1 - frame.sourcePx.x0).toBeGreaterThanOrEqual(240);
    expect(frame.sourcePx.y1 - frame.sourcePx.y0).toBeGreaterThanOrEqual(220);
    expect(Math.min(frame.width, frame.height)).toBe(512);
    expect(frame.scaleX / frame.scaleY).toBeCloseTo(1, 2);
    // The crop is centred on the box.
    expect((frame.sourcePx.x0 + frame.sourcePx.x1) / 2).toBeCloseTo(180, -1);
  });

  it('gives a thin RoI a square-ish crop and a tiny RoI at least the minimum side', () => {
    const thin = computeWorkingFrame(
      { width: 2000, height: 2000 },
      { focus: { roiPx: { x0: 990, y0: 500, x1: 1010, y1: 1500 } } },
    );
    const thinWidth = thin.sourcePx.x1 - thin.sourcePx.x0;
    const thinHeight = thin.sourcePx.y1 - thin.sourcePx.y0;
    expect(thinHeight / thinWidth).toBeLessThanOrEqual(1.5 + 1e-9);
    expect(thin).toMatchObject({ width: 512, height: 768 });
    const tiny = computeWorkingFrame(
      { width: 2000, height: 2000 },
      { focus: { roiPx: { x0: 1000, y0: 1000, x1: 1004, y1: 1004 } } },
    );
    expect(tiny.sourcePx.x1 - tiny.sourcePx.x0).toBe(256);
    expect(tiny).toMatchObject({ width: 512, height: 512, scale: 2 });
  });

  it('always contains the RoI and stays inside the image (random boxes)', () => {
    const rng = new Rng(11);
    for (let i = 0; i < 500; i++) {
      const width = 64 + (rng.nextUint32() % 3000);
      const height = 64 + (rng.nextUint32() % 3000);
      const x0 = rng.nextUint32() % width;
      const y0 = rng.nextUint32() % height;
      const roiPx = {
        x0,
        y0,
        x1: x0 + 1 + (rng.nextUint32() % (width - x0)),
        y1: y0 + 1 + (rng.nextUint32() % (height - y0)),
      };
      const frame = computeWorkingFrame({ width, height }, { focus: { roiPx, marginFraction: rng.nextFloat() * 0.5 } });
      expectValidFrame(frame, width, height);
      expect(contains(frame.sourcePx, roiPx)).toBe(true);
    }
  });

  it('rejects an empty or outside RoI and bad margins', () => {
    const size = { width: 100, height: 100 };
    expect(() => computeWorkingFrame(size, { focus: { roiPx: { x0: 10, y0: 10, x1: 10, y1: 20 } } })).toThrow(
      /empty or outside/,
    );
    expect(() => computeWorkingFrame(size, { focus: { roiPx: { x0: 200, y0: 0, x1: 300, y1: 20 } } })).toThrow(
      /empty or outside/,
    );
    expect(() =>
      computeWorkingFrame(size, { focus: { roiPx: { x0: 0, y0: 0, x1: 10, y1: 10 }, marginFraction: -1 } }),
    ).toThrow(/margin/);
  });
});

describe('working frame pixels', () => {
  it('extracts the working frame of a real photo channel and maps a working result back', async () => {
    const chelsea = await loadRgb('chelsea.png');
    const frame = computeWorkingFrame(chelsea, {
      focus: { roiPx: { x0: 150, y0: 50, x1: 300, y1: 200 }, marginFraction: 0.1 },
    });
    const green = {
      width: chelsea.width,
      height: chelsea.height,
      data: new Uint8Array(chelsea.width * chelsea.height),
    };
    for (let i = 0; i < green.data.length; i++) green.data[i] = chelsea.data[i * 3 + 1]!;
    const working = extractWorkingMask(green, frame);
    expect(working.width).toBe(frame.width);
    expect(working.height).toBe(frame.height);
    expect(working.data.length).toBe(frame.width * frame.height);
    // The working frame is the crop, enlarged: its mean matches the crop's mean.
    const mean = (image: { width: number; data: Uint8Array }, rect: Rect): number => {
      let sum = 0;
      for (let y = rect.y0; y < rect.y1; y++)
        for (let x = rect.x0; x < rect.x1; x++) sum += image.data[y * image.width + x]!;
      return sum / ((rect.x1 - rect.x0) * (rect.y1 - rect.y0));
    };
    const cropMean = mean(green, frame.sourcePx);
    expect(Math.abs(cropMean - mean(working, { x0: 0, y0: 0, x1: working.width, y1: working.height }))).toBeLessThan(
      1.5,
    );

    const result: RgbImage = {
      width: frame.width,
      height: frame.height,
      data: new Uint8Array(frame.width * frame.height * 3).fill(200),
    };
    const back = workingRgbToSource(frame, result);
    expect(back.width).toBe(frame.sourcePx.x1 - frame.sourcePx.x0);
    expect(back.height).toBe(frame.sourcePx.y1 - frame.sourcePx.y0);
    expect(back.data.every((v) => v === 200)).toBe(true);
    expect(() => workingRgbToSource(frame, { width: 8, height: 8, data: new Uint8Array(192) })).toThrow(
      /working-frame/,
    );
  });
});
