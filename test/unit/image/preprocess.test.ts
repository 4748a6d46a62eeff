import { describe, expect, it } from 'vitest';
import { openImage } from '../../../main/image/decode';
import { preprocess, previewControl } from '../../../main/image/preprocess';
import { readMask } from '../../../main/image/readMask';
import { canny, toGray } from '../../../shared/image/canny';
import { createMask } from '../../../shared/image/types';
import { firstDifference, photo } from './helpers';

describe('preprocess', () => {
  it('builds the working frame, IIR image, edges and a 4-channel control tensor', async () => {
    const source = await openImage(photo('coffee'));
    const mask = createMask(600, 400);
    for (let y = 50; y < 150; y++) mask.data.fill(255, y * 600 + 100, y * 600 + 300);
    const result = await preprocess(source, { maskImagePx: mask, noise: 0.2, seed: 3 });
    expect(result.frame).toMatchObject({ width: 768, height: 512, sourcePx: { x0: 0, y0: 0, x1: 600, y1: 400 } });
    expect(result.control.shape).toEqual([1, 4, 512, 768]);
    const plane = 768 * 512;
    // Channel 3 is the edge map; channels 0–2 the IIR image, planar, in [0, 1].
    expect(result.control.data[3 * plane + 1000]).toBe(result.edges.data[1000]! / 255);
    expect(result.control.data[plane + 5]).toBeCloseTo(result.iir.data[5 * 3 + 1]! / 255, 6);
    expect(firstDifference(result.edges.data, canny(toGray(result.working)).data)).toBe(-1);
    // Outside the working mask nothing changed; inside the noise changed most pixels.
    let changedOutside = 0;
    let changedInside = 0;
    for (let i = 0; i < plane; i++) {
      const differs = [0, 1, 2].some((c) => result.iir.data[i * 3 + c] !== result.working.data[i * 3 + c]);
      if (result.workingMask.data[i] === 0 && differs) changedOutside++;
      if (result.workingMask.data[i] === 255 && differs) changedInside++;
    }
    expect(changedOutside).toBe(0);
    // The 200×100 image-px rectangle is 256×128 working px.
    expect(changedInside).toBeGreaterThan(0.9 * 256 * 128);
    const preview = previewControl(result);
    expect([preview.width, preview.height]).toEqual([1536, 512]);
    expect(Object.keys(result.timings)).toEqual(['decode', 'mask', 'iir', 'canny', 'control', 'total']);
  });

  it('focus crops around the mask at the requested short side', async () => {
    const source = await openImage(photo('astronaut'));
    const mask = createMask(512, 512);
    for (let y = 40; y < 100; y++) mask.data.fill(255, y * 512 + 60, y * 512 + 120);
    const result = await preprocess(source, { maskImagePx: mask, focus: true, shortSide: 256 });
    const { sourcePx, width, height } = result.frame;
    expect(Math.min(width, height)).toBe(256);
    expect(sourcePx.x0 <= 60 && sourcePx.y0 <= 40 && sourcePx.x1 >= 120 && sourcePx.y1 >= 100).toBe(true);
    expect(sourcePx.x1 - sourcePx.x0).toBeLessThan(512);
    expect(result.working.width).toBe(width);
  });

  it('refuses an empty mask, a mask of another size and focus without a mask', async () => {
    const source = await openImage(photo('chelsea'));
    await expect(preprocess(source, { maskImagePx: createMask(451, 300) })).rejects.toThrow(
      'the mask is empty: nothing to edit',
    );
    await expect(preprocess(source, { maskImagePx: await readMask(photo('grass')) })).rejects.toThrow(
      'the mask is 512×512 but the image is 451×300',
    );
    await expect(preprocess(source, { focus: true })).rejects.toThrow('focus needs a mask');
  });

  it('stops when cancelled', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(preprocess(await openImage(photo('chelsea')), { signal: controller.signal })).rejects.toThrow(
      'cancelled',
    );
  });
});
