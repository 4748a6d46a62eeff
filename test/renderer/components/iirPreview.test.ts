import { createPinia, setActivePinia } from 'pinia';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { nextTick } from 'vue';
import { useIirPreview } from '../../../renderer/src/composables/useIirPreview';
import { disposeMaskLayer, useMaskLayer } from '../../../renderer/src/composables/useMaskLayer';
import { useEditStore } from '../../../renderer/src/stores/editStore';
import type { RgbImage } from '../../../shared/image/types';

/** A 96×64 photo with texture and edges (so σ, colour and the Canny thresholds all show). */
function photo(): RgbImage {
  const width = 96;
  const height = 64;
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = 3 * (y * width + x);
      const inSquare = x > 24 && x < 72 && y > 16 && y < 48;
      data[i] = inSquare ? 200 : 40 + ((x * 7) % 50);
      data[i + 1] = inSquare ? 60 : 90 + ((y * 5) % 40);
      data[i + 2] = (x * y) % 255;
    }
  }
  return { width, height, data };
}

function countDiff(a: Uint8Array, b: Uint8Array): number {
  let n = 0;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) n++;
  return n;
}

// The sliders' v-model changes `iir`'s fields in place; Object.assign does the same here.
describe('what the model sees follows every setting the model gets', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['requestAnimationFrame', 'cancelAnimationFrame'] });
    setActivePinia(createPinia());
    disposeMaskLayer();
    const layer = useMaskLayer();
    layer.reset(96, 64);
    layer.edit('roi', 'brush', (mask) => {
      for (let y = 8; y < 56; y++) for (let x = 16; x < 80; x++) mask.data[y * 96 + x] = 255;
      return { x0: 16, y0: 8, x1: 80, y1: 56 };
    });
  });
  afterEach(() => vi.useRealTimers());

  async function nextFrame(): Promise<void> {
    await nextTick();
    vi.advanceTimersToNextFrame();
  }

  it('recomputes within one frame of a change of σ, colour removal, the noise scope and the Canny thresholds', async () => {
    const image = photo();
    const { preview, stop } = useIirPreview({ image: () => image, key: () => 'photo' });
    await nextFrame();
    const edit = useEditStore();
    const first = preview.value!;
    expect(first).not.toBeNull();

    Object.assign(edit.iir, { noise: 1 });
    await nextFrame();
    const noisy = preview.value!;
    expect(countDiff(first.iir.data, noisy.iir.data)).toBeGreaterThan(1000);

    Object.assign(edit.iir, { gray: false });
    await nextFrame();
    const coloured = preview.value!;
    expect(countDiff(noisy.iir.data, coloured.iir.data)).toBeGreaterThan(1000);

    Object.assign(edit.iir, { scope: 'image' });
    await nextFrame();
    expect(countDiff(coloured.iir.data, preview.value!.iir.data)).toBeGreaterThan(1000);

    const edges = preview.value!.edges.data;
    Object.assign(edit.iir, { cannyLow: 400, cannyHigh: 900 });
    await nextFrame();
    expect(countDiff(edges, preview.value!.edges.data)).toBeGreaterThan(0);
    stop();
  });
});
