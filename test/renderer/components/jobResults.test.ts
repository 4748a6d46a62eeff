import { createPinia, setActivePinia } from 'pinia';
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ImageId, ImageInfo, JobId } from '../../../shared/api';
import type { Mask } from '../../../shared/image/types';
import { watchJobResults } from '../../../renderer/src/composables/useJobResults';
import { disposeMaskLayer, useMaskLayer } from '../../../renderer/src/composables/useMaskLayer';
import { useDocumentStore } from '../../../renderer/src/stores/documentStore';
import { useEditStore } from '../../../renderer/src/stores/editStore';
import { useHistoryStore } from '../../../renderer/src/stores/historyStore';
import { useMaskStore } from '../../../renderer/src/stores/maskStore';
import { useRoiStore } from '../../../renderer/src/stores/roiStore';
import { installFakeBridge, settle, type FakeBridge } from '../helpers/fakeBridge';

// The glue from finished jobs to the document, on the real stores and mask layer. The browser's image loading
// (fetch, createImageBitmap, OffscreenCanvas; absent from happy-dom) is faked: a mask image's pixels come from
// `served`, by image id.
const width = 8;
const height = 4;
const served = new Map<string, Mask>();
let jobCount = 0;
let bridge: FakeBridge;

/** A mask with columns [x0, x1) set. */
function columns(x0: number, x1: number): Mask & { data: Uint8Array<ArrayBuffer> } {
  const data = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) for (let x = x0; x < x1; x++) data[y * width + x] = 255;
  return { width, height, data };
}

function fakeImageLoading(): void {
  vi.stubGlobal('fetch', (url: string) => Promise.resolve(new Response(decodeURIComponent(url.split('/').at(-1)!))));
  vi.stubGlobal('createImageBitmap', async (blob: Blob) => {
    const id = await blob.text();
    return { width, height, id, close: () => undefined };
  });
  vi.stubGlobal(
    'OffscreenCanvas',
    class {
      private drawn: { id: string } | null = null;
      getContext() {
        return {
          drawImage: (bitmap: { id: string }) => void (this.drawn = bitmap),
          getImageData: () => {
            const mask = served.get(this.drawn?.id ?? '') ?? columns(0, 0);
            const rgba = new Uint8ClampedArray(width * height * 4);
            for (let i = 0; i < mask.data.length; i++) rgba.fill(mask.data[i]!, i * 4, i * 4 + 3);
            return { data: rgba };
          },
        };
      }
    },
  );
}

/** Answers the job that was just started with `result`. */
async function complete(kind: 'segment' | 'edit', result: Record<string, unknown>): Promise<void> {
  await settle();
  bridge.emit('jobs:event', {
    jobId: `job_${jobCount}` as JobId,
    kind,
    type: 'completed',
    result: { kind, ...result },
  });
  await settle();
}

const found = (maskId: string, phrase: string | null = null) => ({
  maskId,
  instances: [{ x0: 0, y0: 0, x1: 2, y1: 4, phrase, score: phrase ? 0.9 : null }],
  message: null,
});

describe('job results → the document (watchJobResults)', () => {
  let stop: () => void;
  beforeAll(() => {
    // The renderer's client is made once per page, so the bridge is too.
    bridge = installFakeBridge({
      segment: ['start'],
      edit: ['start'],
      jobs: ['events', 'cancel'],
      images: ['release'],
    });
    bridge.answer = (channel) => {
      if (channel.endsWith(':start')) return { ok: true, value: { jobId: `job_${++jobCount}` } };
      if (channel === 'jobs:events') return { ok: true, value: { events: [] } };
      return { ok: true, value: { released: true } };
    };
  });
  beforeEach(() => {
    setActivePinia(createPinia());
    disposeMaskLayer();
    bridge.calls.length = 0;
    fakeImageLoading();
    const info: ImageInfo = {
      id: 'img_a' as ImageId,
      kind: 'original',
      width,
      height,
      hasAlpha: false,
      name: 'a.png',
      path: null,
    };
    useDocumentStore().adopt(info);
    useMaskLayer().reset(width, height);
    useHistoryStore().start(info.id, 'a.png');
    stop = watchJobResults();
  });
  afterEach(() => {
    stop();
    vi.unstubAllGlobals();
  });

  it('merges a found region into the mask as one undo step: text replaces, a click adds, a lone exclude click subtracts', async () => {
    const roi = useRoiStore();
    const maskStore = useMaskStore();
    const layer = useMaskLayer();
    served.set('img_m1', columns(0, 4));
    roi.text = 'cup';
    await roi.find('img_a' as ImageId);
    await complete('segment', found('img_m1', 'cup'));
    expect(maskStore.areaPx).toBe(16);
    expect(roi.instances).toEqual([
      { boxImagePx: { x0: 0, y0: 0, x1: 2, y1: 4 }, phrase: 'cup', score: 0.9, isPicked: true },
    ]);
    expect(bridge.sent('images:release')).toEqual([{ id: 'img_m1' }]);

    served.set('img_m2', columns(6, 8));
    await roi.click('img_a' as ImageId, { xImagePx: 7, yImagePx: 1, isPositive: true });
    await complete('segment', found('img_m2'));
    expect(maskStore.areaPx).toBe(24);
    expect(roi.instances).toHaveLength(1);

    served.set('img_m3', columns(2, 4));
    roi.clearClicks();
    await roi.click('img_a' as ImageId, { xImagePx: 3, yImagePx: 1, isPositive: false });
    await complete('segment', found('img_m3'));
    expect(maskStore.areaPx).toBe(16);

    layer.undo();
    expect(maskStore.areaPx).toBe(24);
    layer.undo();
    expect(maskStore.areaPx).toBe(16);
    layer.undo();
    expect(maskStore.areaPx).toBe(0);
  });

  it('says why a found region could not be read, and leaves the mask as it was', async () => {
    vi.stubGlobal('fetch', () => Promise.reject(new TypeError('Failed to fetch')));
    const roi = useRoiStore();
    roi.text = 'cup';
    await roi.find('img_a' as ImageId);
    await complete('segment', found('img_unreadable', 'cup'));
    expect(useMaskStore().error).toMatch(/^Could not load the image/);
    expect(useMaskStore().areaPx).toBe(0);
    expect(roi.instances).toEqual([]);
  });

  it("adds an edit's variations to the results strip and one generate step to the history", async () => {
    const edit = useEditStore();
    edit.prompt = 'a green cup';
    await edit.generate('img_a' as ImageId, columns(0, 2));
    await complete('edit', { resultIds: ['img_r1', 'img_r2'], seeds: [7, 8], provider: 'cpu' });
    expect(edit.results.map((r) => [r.id, r.seed, r.generation])).toEqual([
      ['img_r1', 7, 1],
      ['img_r2', 8, 1],
    ]);
    const last = useHistoryStore().entries.at(-1)!;
    expect(last.step).toMatchObject({ kind: 'generate', resultIds: ['img_r1', 'img_r2'] });
    expect(last.baseId).toBe('img_a');
    expect(useHistoryStore().isDirty).toBe(true);
  });

  it('stops taking results in once stopped', async () => {
    stop();
    const edit = useEditStore();
    edit.prompt = 'a green cup';
    await edit.generate('img_a' as ImageId, columns(0, 2));
    await complete('edit', { resultIds: ['img_r9'], seeds: [1], provider: 'cpu' });
    expect(edit.results).toEqual([]);
    expect(useHistoryStore().entries.map((e) => e.step.kind)).toEqual(['open']);
  });
});
