import { describe, expect, it } from 'vitest';
import {
  computeIirPreview,
  defaultIirSettings,
  iirPresets,
  presetOf,
  previewSize,
  toPreviewFrame,
} from '../../../renderer/src/iir/livePreview';
import { describeError } from '../../../renderer/src/editing/errorMessages';
import { ApiCallError } from '../../../shared/api';
import { createMask, type RgbImage } from '../../../shared/image/types';

/** A black RGB image. */
const createRgb = (width: number, height: number): RgbImage => ({
  width,
  height,
  data: new Uint8Array(width * height * 3),
});

function photo(): RgbImage {
  const image = createRgb(64, 48);
  for (let y = 0; y < 48; y++) {
    for (let x = 0; x < 64; x++) {
      const p = (y * 64 + x) * 3;
      image.data[p] = x < 32 ? 200 : 30;
      image.data[p + 1] = x < 32 ? 220 : 20;
      image.data[p + 2] = 60 + y;
    }
  }
  return image;
}

describe('IIR live preview', () => {
  it('removes colour only inside the mask, finds the vertical edge and builds a side-by-side 4-channel control', () => {
    const image = photo();
    const mask = createMask(64, 48);
    for (let y = 0; y < 48; y++) mask.data.fill(255, y * 64, y * 64 + 16);
    const preview = computeIirPreview(image, mask, { ...defaultIirSettings, noise: 0 }, 4);
    const inside = 10 * 64 + 5;
    expect(preview.iir.data[inside * 3]).toBe(preview.iir.data[inside * 3 + 1]);
    const outside = 10 * 64 + 40;
    expect(Array.from(preview.iir.data.subarray(outside * 3, outside * 3 + 3))).toEqual(
      Array.from(image.data.subarray(outside * 3, outside * 3 + 3)),
    );
    expect(preview.edges.data[10 * 64 + 31] === 255 || preview.edges.data[10 * 64 + 32] === 255).toBe(true);
    expect(preview.control.width).toBe(128);
    expect(computeIirPreview(image, mask, defaultIirSettings, 3).control.width).toBe(64);
  });

  it('adds noise over the whole image with the scene scope', () => {
    const image = photo();
    const mask = createMask(64, 48);
    const roi = computeIirPreview(image, mask, { ...defaultIirSettings, ...iirPresets.texture }, 3);
    expect(roi.iir.data).toEqual(image.data);
    const scene = computeIirPreview(image, mask, { ...defaultIirSettings, ...iirPresets.scene }, 3);
    expect(scene.iir.data).not.toEqual(image.data);
  });

  it('names presets, sizes the preview frame and downsizes photo and mask together', () => {
    expect(presetOf({ ...defaultIirSettings, ...iirPresets.scene })).toBe('scene');
    expect(presetOf({ ...defaultIirSettings, noise: 0.33 })).toBeNull();
    expect(previewSize(4000, 3000, 512)).toEqual({ width: 512, height: 384 });
    expect(previewSize(300, 200, 512)).toEqual({ width: 300, height: 200 });
    const frame = toPreviewFrame(createRgb(1024, 512), createMask(1024, 512), 256);
    expect([frame.image.width, frame.image.height, frame.mask.width, frame.mask.height]).toEqual([256, 128, 256, 128]);
  });

  it.each([
    {
      error: new ApiCallError({ code: 'model_missing', message: 'no Stable Diffusion 1.5 model is installed' }),
      text: 'No Stable Diffusion 1.5 model is installed. Download the missing models from the Models sheet.',
    },
    {
      error: new ApiCallError({ code: 'io_error', message: '' }),
      text: 'Reading or writing a file failed. Check that the folder exists and that you may write to it.',
    },
    { error: { code: 'cancelled', message: 'cancelled' }, text: 'Cancelled.' },
    { error: new Error('boom'), text: 'Boom' },
    { error: new Error('photo.jpg is gone'), text: 'photo.jpg is gone' },
  ])('describes $error.message in the user’s words', ({ error, text }) => {
    expect(describeError(error).text).toBe(text);
  });
});
