import { describe, expect, it } from 'vitest';
import { compositeMask, compositeResult, latentMask } from '../../../main/engine/composite';
import { isControlActive, residualLayout } from '../../../main/engine/denoise';
import { latentPreview } from '../../../main/engine/preview';
import { computeWorkingFrame } from '../../../shared/image/geometry';
import { createMask, type RgbImage } from '../../../shared/image/types';

/** A black RGB image. */
const createRgb = (width: number, height: number): RgbImage => ({
  width,
  height,
  data: new Uint8Array(width * height * 3),
});

describe('composite', () => {
  const width = 300;
  const height = 200;
  const mask = createMask(width, height);
  for (let y = 80; y < 120; y++) mask.data.fill(255, y * width + 100, y * width + 160);

  it('grows the mask by dilation + feather and keeps it 0 far away', () => {
    const frame = computeWorkingFrame({ width, height }, { shortSide: 256 });
    const blend = compositeMask(mask, frame, 6, 6);
    expect(blend.data[100 * width + 130]).toBe(255);
    expect(blend.data[100 * width + 95]).toBeGreaterThan(0); // within the dilation
    expect(blend.data[100 * width + 80]).toBe(0); // beyond dilation + feather
    expect(blend.data[10 * width + 10]).toBe(0);
  });

  it('zeroes the mask outside a focus crop', () => {
    const frame = computeWorkingFrame(
      { width, height },
      { shortSide: 256, focus: { roiPx: { x0: 100, y0: 80, x1: 160, y1: 120 } } },
    );
    const wide = createMask(width, height);
    wide.data.fill(255);
    const blend = compositeMask(wide, frame, 0, 0);
    const { x0, y0, x1, y1 } = frame.sourcePx;
    expect(blend.data[y0 * width + x0]).toBe(255);
    if (x1 < width) expect(blend.data[y0 * width + x1]).toBe(0);
    if (y0 > 0) expect(blend.data[(y0 - 1) * width + x0]).toBe(0);
    expect(blend.data[(y1 - 1) * width + (x1 - 1)]).toBe(255);
  });

  it('copies pixels where the mask is 0, takes the result where it is 255 and blends between', () => {
    const frame = computeWorkingFrame({ width, height }, { shortSide: 256 });
    const original = createRgb(width, height);
    original.data.fill(100);
    const result = createRgb(frame.width, frame.height);
    result.data.fill(200);
    const blend = createMask(width, height);
    blend.data[5] = 255;
    blend.data[6] = 51;
    const out = compositeResult(original, result, frame, blend);
    expect([...out.data.subarray(0, 15)]).toEqual([
      100, 100, 100, 100, 100, 100, 100, 100, 100, 100, 100, 100, 100, 100, 100,
    ]);
    expect([...out.data.subarray(15, 18)]).toEqual([200, 200, 200]);
    expect([...out.data.subarray(18, 21)]).toEqual([120, 120, 120]);
  });

  it('max-pools the grown working mask to latent blocks', () => {
    const working = createMask(64, 64);
    working.data[20 * 64 + 20] = 255; // one pixel in latent block (2, 2)
    const m = latentMask(working, 0);
    expect(m).toHaveLength(64);
    expect(m[2 * 8 + 2]).toBe(1);
    expect(m.reduce((a, b) => a + b, 0)).toBe(1);
    const grown = latentMask(working, 8);
    expect(grown[1 * 8 + 1]).toBe(1);
    expect(grown[5 * 8 + 5]).toBe(0);
  });
});

describe('denoise helpers', () => {
  it('applies the ControlNet inside the guidance window only', () => {
    const active = (start: number, end: number): boolean[] =>
      Array.from({ length: 10 }, (_, i) => isControlActive(i, 10, start, end));
    expect(active(0, 1).every(Boolean)).toBe(true);
    expect(active(0.2, 0.5)).toEqual([false, false, true, true, true, false, false, false, false, false]);
    expect(active(0, 0)).toEqual(new Array<boolean>(10).fill(false));
  });

  it('knows SD1.5’s 13 residuals', () => {
    expect(residualLayout).toHaveLength(13);
    expect(residualLayout[3]).toEqual({ name: 'down_block_3_additional_residual', channels: 320, factor: 2 });
    expect(residualLayout[12]).toEqual({ name: 'mid_block_additional_residual', channels: 1280, factor: 8 });
  });

  it('projects latents to an RGB preview with the SD1.5 factors', () => {
    const latents = new Float32Array(4 * 2);
    latents[0] = 1; // channel 0 at pixel 0
    latents[2 * 2 + 1] = 1; // channel 2 at pixel 1
    const preview = latentPreview(latents, 1, 2);
    expect(preview.width).toBe(2);
    expect([...preview.data]).toEqual([
      Math.round(1.298 * 127.5),
      Math.round(1.207 * 127.5),
      Math.round(1.208 * 127.5),
      Math.round(0.842 * 127.5),
      Math.round(1.189 * 127.5),
      Math.round(1.264 * 127.5),
    ]);
  });
});
