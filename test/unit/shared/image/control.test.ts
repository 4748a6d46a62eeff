import { describe, expect, it } from 'vitest';
import { buildControl, controlPreview } from '../../../../shared/image/control';
import type { GrayImage, RgbImage } from '../../../../shared/image/types';

// A 3×2 image whose every byte is distinct, so any layout mistake shows.
const width = 3;
const height = 2;
const iir: RgbImage = { width, height, data: Uint8Array.from({ length: 18 }, (_, i) => i * 10) };
const edges: GrayImage = { width, height, data: Uint8Array.of(0, 255, 0, 255, 0, 51) };

describe('buildControl', () => {
  it('lays out [IIR R, G, B, Canny] as NCHW float32 in [0, 1]', () => {
    const control = buildControl(iir, edges, 4);
    expect(control.shape).toEqual([1, 4, 2, 3]);
    expect(control.data.length).toBe(4 * 6);
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const i = y * width + x;
        for (let c = 0; c < 3; c++) {
          expect(control.data[c * 6 + i]).toBeCloseTo(iir.data[i * 3 + c]! / 255, 6);
        }
        expect(control.data[3 * 6 + i]).toBeCloseTo(edges.data[i]! / 255, 6);
      }
    }
    expect(control.data[3 * 6 + 1]).toBe(1);
    expect(control.data[3 * 6 + 5]).toBeCloseTo(0.2, 6);
  });

  it('replicates the Canny map into 3 channels', () => {
    const control = buildControl(iir, edges, 3);
    expect(control.shape).toEqual([1, 3, 2, 3]);
    const expected = Array.from(edges.data, (v) => Math.fround(v / 255));
    for (let c = 0; c < 3; c++) expect(Array.from(control.data.subarray(c * 6, c * 6 + 6))).toEqual(expected);
  });

  it('rejects mismatched sizes and channel counts', () => {
    expect(() => buildControl(iir, { width: 2, height: 2, data: new Uint8Array(4) }, 4)).toThrow(/edge map/);
    expect(() => buildControl(iir, edges, 5 as 4)).toThrow(/3 or 4 channels/);
  });
});

describe('controlPreview', () => {
  it('shows the edge map for 3 channels', () => {
    const preview = controlPreview(iir, edges, 3);
    expect(preview).toMatchObject({ width: 3, height: 2 });
    expect(Array.from(preview.data)).toEqual(Array.from(edges.data).flatMap((v) => [v, v, v]));
  });

  it('shows the IIR image and the edge map side by side for 4 channels', () => {
    const preview = controlPreview(iir, edges, 4);
    expect(preview).toMatchObject({ width: 6, height: 2 });
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        for (let c = 0; c < 3; c++) {
          expect(preview.data[(y * 6 + x) * 3 + c]).toBe(iir.data[(y * width + x) * 3 + c]);
          expect(preview.data[(y * 6 + width + x) * 3 + c]).toBe(edges.data[y * width + x]);
        }
      }
    }
  });
});
