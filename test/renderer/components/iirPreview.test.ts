import { createPinia, setActivePinia } from 'pinia';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { nextTick } from 'vue';
import { useIirPreview } from '../../../renderer/src/composables/useIirPreview';
import { disposeMaskLayer, useMaskLayer } from '../../../renderer/src/composables/useMaskLayer';
import { type PreviewChannel, localChannel } from '../../../renderer/src/iir/previewChannel';
import {
  PreviewEngine,
  type PreviewReply,
  type PreviewRequest,
  cropLayer,
} from '../../../renderer/src/iir/previewEngine';
import { PreviewMask } from '../../../renderer/src/iir/previewMask';
import { useEditStore } from '../../../renderer/src/stores/editStore';
import { createMask } from '../../../shared/image/types';
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

/** The worker's channel, recording what the page sent; `hold` keeps replies until `release`. */
function recordingChannel() {
  const engine = new PreviewEngine();
  const sent: PreviewRequest[] = [];
  const held: PreviewReply[] = [];
  let listener: ((reply: PreviewReply) => void) | null = null;
  let isHolding = false;
  const channel: PreviewChannel = {
    post: (request) => {
      sent.push(request);
      const reply = engine.handle(request);
      if (!reply) return;
      if (isHolding) held.push(reply);
      else setTimeout(() => listener?.(reply), 0);
    },
    onReply: (next) => (listener = next),
    close: () => undefined,
  };
  return {
    channel,
    sent,
    hold: () => (isHolding = true),
    /** Delivers the held replies in `order` (indices), then stops holding. */
    release: (order: number[]) => {
      isHolding = false;
      for (const i of order) listener?.(held[i]!);
      held.length = 0;
    },
  };
}

// The sliders' v-model changes `iir`'s fields in place; Object.assign does the same here.
describe('what the model sees, computed in a worker, follows every setting the model gets', () => {
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

  /** One animation frame, then the worker's answer. */
  async function nextFrame(preview: { value: unknown }): Promise<void> {
    const before = preview.value;
    await nextTick();
    vi.advanceTimersToNextFrame();
    await vi.waitFor(() => expect(preview.value).not.toBe(before), { timeout: 1000, interval: 1 });
  }

  it('asks the worker in the next frame after a change of σ, colour removal, scope and the Canny thresholds', async () => {
    const image = photo();
    const { channel, sent } = recordingChannel();
    const { preview, stop } = useIirPreview({ image: () => image, key: () => 'photo' }, channel);
    await nextFrame(preview);
    const edit = useEditStore();
    const first = preview.value!;
    expect(sent.map((r) => r.type)).toEqual(['photo', 'masks', 'compute']);

    Object.assign(edit.iir, { noise: 1 });
    await nextFrame(preview);
    const noisy = preview.value!;
    expect(sent.at(-1)).toMatchObject({ type: 'compute', settings: { noise: 1 } });
    expect(countDiff(first.iir.data, noisy.iir.data)).toBeGreaterThan(1000);

    Object.assign(edit.iir, { gray: false });
    await nextFrame(preview);
    const coloured = preview.value!;
    expect(countDiff(noisy.iir.data, coloured.iir.data)).toBeGreaterThan(1000);

    Object.assign(edit.iir, { scope: 'image' });
    await nextFrame(preview);
    expect(countDiff(coloured.iir.data, preview.value!.iir.data)).toBeGreaterThan(1000);

    const edges = preview.value!.edges.data;
    Object.assign(edit.iir, { cannyLow: 400, cannyHigh: 900 });
    await nextFrame(preview);
    expect(countDiff(edges, preview.value!.edges.data)).toBeGreaterThan(0);
    // The photo went once; the layers once in full (nothing changed since).
    expect(sent.filter((r) => r.type !== 'compute').map((r) => r.type)).toEqual(['photo', 'masks']);
    stop();
  });

  it('sends only the rows a stroke changed, and the preview mask equals a full rebuild', async () => {
    const image = photo();
    const { channel, sent } = recordingChannel();
    const { preview, stop } = useIirPreview({ image: () => image, key: () => 'photo' }, channel);
    await nextFrame(preview);
    const layer = useMaskLayer();
    layer.edit('protect', 'brush', (mask) => {
      for (let y = 20; y < 30; y++) for (let x = 30; x < 40; x++) mask.data[y * 96 + x] = 255;
      return { x0: 30, y0: 20, x1: 40, y1: 30 };
    });
    await nextFrame(preview);
    const patch = sent.filter((r) => r.type === 'masks').at(-1)!;
    expect(patch).toMatchObject({ patch: { rect: { x0: 30, y0: 20, x1: 40, y1: 30 } } });
    const masks = layer.masks.value!;
    const full = new PreviewMask(96, 64, 96, 64);
    full.update(masks.roi, masks.protect, { x0: 0, y0: 0, x1: 96, y1: 64 });
    const engine = new PreviewEngine();
    engine.handle({ type: 'photo', key: 'p', image });
    const whole = { x0: 0, y0: 0, x1: 96, y1: 64 };
    engine.handle({
      type: 'masks',
      patch: {
        width: 96,
        height: 64,
        rect: whole,
        roi: cropLayer(masks.roi, whole),
        protect: cropLayer(masks.protect, whole),
      },
    });
    const settings = { ...useEditStore().iir };
    const direct = engine.handle({ type: 'compute', seq: 1, settings, channels: 4, seed: useEditStore().seed });
    expect(
      direct?.type === 'preview' && Buffer.from(direct.preview.iir.data).equals(Buffer.from(preview.value!.iir.data)),
    ).toBe(true);
    stop();
  });

  it('new empty layers of the same size (another photo) leave nothing of the old region in the worker', async () => {
    const image = photo();
    const { channel, sent } = recordingChannel();
    const { preview, stop } = useIirPreview({ image: () => image, key: () => 'photo' }, channel);
    await nextFrame(preview);
    expect(Buffer.from(preview.value!.iir.data).equals(Buffer.from(image.data))).toBe(false);
    useMaskLayer().reset(96, 64);
    await nextFrame(preview);
    // No region: what the model sees outside a region is the photo itself; no bytes went for the empty layers.
    expect(Buffer.from(preview.value!.iir.data).equals(Buffer.from(image.data))).toBe(true);
    expect(sent.filter((r) => r.type === 'masks').at(-1)).toMatchObject({
      patch: { isNew: true, roi: new Uint8Array(0) },
    });
    stop();
  });

  it('drops a reply overtaken by newer settings, and one for a photo no longer shown', async () => {
    const image = photo();
    let photoKey = 'a';
    const { channel, sent, hold, release } = recordingChannel();
    const { preview, stop } = useIirPreview({ image: () => image, key: () => photoKey }, channel);
    await nextFrame(preview);
    const edit = useEditStore();
    const shown = preview.value;

    // A second change while the first request is in flight: the first reply is stale and never shown (the clock
    // stands still, so the preview is never old enough to show a superseded reply to keep a drag live).
    const now = performance.now();
    const clock = vi.spyOn(performance, 'now').mockReturnValue(now);
    hold();
    const first = sent.length;
    Object.assign(edit.iir, { noise: 0.8 });
    await nextTick();
    vi.advanceTimersToNextFrame();
    await vi.waitFor(() => expect(sent.length).toBeGreaterThan(first));
    Object.assign(edit.iir, { noise: 0.2 });
    await nextTick();
    vi.advanceTimersToNextFrame();
    await new Promise((resolve) => setTimeout(resolve, 0));
    release([0]);
    expect(preview.value).toBe(shown);
    await vi.waitFor(() => expect(preview.value).not.toBe(shown));
    expect(sent.at(-1)).toMatchObject({ type: 'compute', settings: { noise: 0.2 } });

    // A reply computed for photo "a" after the page moved on to photo "b" is dropped too.
    const before = preview.value;
    const count = sent.length;
    hold();
    Object.assign(edit.iir, { noise: 0.5 });
    await nextTick();
    vi.advanceTimersToNextFrame();
    await vi.waitFor(() => expect(sent.length).toBeGreaterThan(count));
    photoKey = 'b';
    release([0]);
    expect(preview.value).toBe(before);
    clock.mockRestore();
    stop();
  });

  it('a local channel answers like the worker (no Worker in this environment)', async () => {
    const engine = new PreviewEngine();
    const channel = localChannel(engine);
    const replies: PreviewReply[] = [];
    channel.onReply((reply) => replies.push(reply));
    channel.post({ type: 'compute', seq: 1, settings: { ...useEditStore().iir }, channels: 4, seed: 0 });
    await vi.waitFor(() => expect(replies).toEqual([{ type: 'empty', seq: 1 }]));
    expect(createMask(1, 1).data.length).toBe(1);
  });
});
