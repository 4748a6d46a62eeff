import { describe, expect, it } from 'vitest';
import { PreviewMask } from '../../../renderer/src/iir/previewMask';
import { resizeMask } from '../../../shared/image/mask';
import { type Mask, type Rect, createMask } from '../../../shared/image/types';

function effective(roi: Mask, protect: Mask): Mask {
  const data = roi.data.map((v, i) => (protect.data[i]! >= 128 ? 0 : v));
  return { width: roi.width, height: roi.height, data };
}

/** A deterministic pseudo-random source (no Math.random in tests). */
function lcg(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

/** Indices where the preview differs from the full resize (an array compare of 90 k bytes is slow in expect). */
function differences(actual: Uint8Array, expected: Uint8Array): number[] {
  const out: number[] = [];
  for (let i = 0; i < expected.length; i++) if (actual[i] !== expected[i]) out.push(i);
  return out;
}

function fillRect(mask: Mask, rect: Rect, next: () => number): void {
  for (let y = rect.y0; y < rect.y1; y++) {
    for (let x = rect.x0; x < rect.x1; x++) mask.data[y * mask.width + x] = Math.floor(next() * 256);
  }
}

describe('the preview mask', () => {
  for (const [width, height, previewWidth, previewHeight] of [
    [1000, 613, 384, 235],
    [300, 200, 300, 200],
  ] as const) {
    it(`matches the full linear resize of the effective RoI after partial updates (${width}×${height} → ${previewWidth}×${previewHeight})`, () => {
      const next = lcg(7);
      const roi = createMask(width, height);
      const protect = createMask(width, height);
      const full = { x0: 0, y0: 0, x1: width, y1: height };
      fillRect(roi, full, next);
      fillRect(protect, { x0: 100, y0: 50, x1: 200, y1: 150 }, next);
      const preview = new PreviewMask(width, height, previewWidth, previewHeight);
      preview.update(roi, protect, full);
      expect(preview.mask.data).toEqual(
        resizeMask(effective(roi, protect), previewWidth, previewHeight, 'linear').data,
      );
      for (let step = 0; step < 6; step++) {
        const x0 = Math.floor(next() * (width - 1));
        const y0 = Math.floor(next() * (height - 1));
        const rect = {
          x0,
          y0,
          x1: Math.min(width, x0 + 1 + Math.floor(next() * 90)),
          y1: Math.min(height, y0 + 1 + Math.floor(next() * 90)),
        };
        fillRect(step % 2 === 0 ? roi : protect, rect, next);
        preview.update(roi, protect, rect);
        const expected = resizeMask(effective(roi, protect), previewWidth, previewHeight, 'linear').data;
        expect(differences(preview.mask.data, expected)).toEqual([]);
      }
    });
  }

  it('knows the layer size it was built for', () => {
    const preview = new PreviewMask(4240, 2832, 384, 256);
    expect(preview.fits(4240, 2832)).toBe(true);
    expect(preview.fits(600, 400)).toBe(false);
  });
});
