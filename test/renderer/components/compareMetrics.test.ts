import { mount } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import { beforeAll, describe, expect, it } from 'vitest';
import { nextTick } from 'vue';
import type { CompareMetrics, ImageId, ImageInfo } from '../../../shared/api';
import CompareMetricsView from '../../../renderer/src/components/CompareMetrics.vue';
import { useMaskLayer } from '../../../renderer/src/composables/useMaskLayer';
import type { Recipe } from '../../../renderer/src/editing/documentHistory';
import { useDocumentStore } from '../../../renderer/src/stores/documentStore';
import { useEditStore } from '../../../renderer/src/stores/editStore';

// A fake of the project's own preload bridge: records each metrics request and answers what the test sets.
const requests: Record<string, unknown>[] = [];
let answer: { ok: true; value: CompareMetrics } | { ok: false; error: { code: string; message: string } };
beforeAll(() => {
  Object.defineProperty(window, 'iir', {
    configurable: true,
    value: {
      metrics: {
        compare: (request: Record<string, unknown>) => {
          requests.push(request);
          return Promise.resolve(answer);
        },
      },
      on: () => () => undefined,
    },
  });
});

const photo: ImageInfo = {
  id: 'img_base' as ImageId,
  kind: 'original',
  width: 4,
  height: 2,
  hasAlpha: false,
  name: 'a.png',
  path: '/photos/a.png',
};

async function settle(): Promise<void> {
  for (let i = 0; i < 6; i++) await nextTick();
}

function showResult(id: string, prompt: string): void {
  const editStore = useEditStore();
  const recipe = { prompt } as unknown as Recipe;
  editStore.results = [...editStore.results, { id: id as ImageId, seed: 1, prompt, generation: 1, recipe }];
  editStore.selected = editStore.results.length - 1;
}

describe('the compare bar metrics', () => {
  it('asks main for the selected result against the base with the painted region, and shows PSNR, LPIPS and CLIP', async () => {
    setActivePinia(createPinia());
    useDocumentStore().adopt(photo);
    const layer = useMaskLayer();
    layer.load(
      { width: 4, height: 2, data: Uint8Array.from([0, 255, 255, 0, 0, 0, 0, 0]) },
      {
        width: 4,
        height: 2,
        data: Uint8Array.from([0, 0, 255, 0, 0, 0, 0, 0]),
      },
    );
    answer = { ok: true, value: { psnr: 31.234, psnrInfinite: false, lpips: 0.04123, clipRegion: 24.31, note: null } };
    const wrapper = mount(CompareMetricsView);
    expect(wrapper.find('[data-testid=compare-metrics]').exists()).toBe(false);
    showResult('img_r1', 'a green cup');
    await settle();
    expect(requests.at(-1)).toEqual({
      originalId: 'img_base',
      resultId: 'img_r1',
      roi: { mask: { width: 4, height: 2, data: Uint8Array.from([0, 255, 0, 0, 0, 0, 0, 0]) } },
      prompt: 'a green cup',
    });
    expect(wrapper.get('[data-testid=metric-psnr]').text()).toBe('PSNR outside 31.2 dB');
    expect(wrapper.get('[data-testid=metric-lpips]').text()).toBe('LPIPS 0.041');
    expect(wrapper.get('[data-testid=metric-clip]').text()).toBe('CLIP 24.3');
    expect(wrapper.find('[data-testid=metric-note]').exists()).toBe(false);
  });

  it('shows ∞, leaves out what is not measured and says which models to install', async () => {
    setActivePinia(createPinia());
    useDocumentStore().adopt(photo);
    useMaskLayer().load(
      { width: 4, height: 2, data: new Uint8Array(8).fill(255) },
      { width: 4, height: 2, data: new Uint8Array(8) },
    );
    const note = 'LPIPS, CLIP similarity not measured: install with npm run iir -- models pull metrics';
    answer = { ok: true, value: { psnr: null, psnrInfinite: true, lpips: null, clipRegion: null, note } };
    const wrapper = mount(CompareMetricsView);
    showResult('img_r2', 'a red car');
    await settle();
    expect(wrapper.get('[data-testid=metric-psnr]').text()).toBe('PSNR outside ∞');
    expect(wrapper.find('[data-testid=metric-lpips]').exists()).toBe(false);
    expect(wrapper.find('[data-testid=metric-clip]').exists()).toBe(false);
    expect(wrapper.get('[data-testid=metric-note]').attributes('title')).toBe(note);
  });

  it('shows a failed measurement as a plain message, and measures again for the next result', async () => {
    setActivePinia(createPinia());
    useDocumentStore().adopt(photo);
    useMaskLayer().load(
      { width: 4, height: 2, data: new Uint8Array(8).fill(255) },
      { width: 4, height: 2, data: new Uint8Array(8) },
    );
    answer = {
      ok: false,
      error: { code: 'model_missing', message: 'cannot load the lpips model /m/lpips_diff.onnx: bad' },
    };
    const wrapper = mount(CompareMetricsView);
    showResult('img_r3', 'a cat');
    await settle();
    expect(wrapper.get('[role=alert]').text()).toContain('Cannot load the lpips model /m/lpips_diff.onnx: bad.');
    answer = { ok: true, value: { psnr: 40, psnrInfinite: false, lpips: 0.01, clipRegion: null, note: null } };
    showResult('img_r4', 'a dog');
    await settle();
    expect(requests.at(-1)).toMatchObject({ resultId: 'img_r4', prompt: 'a dog' });
    expect(wrapper.get('[data-testid=metric-psnr]').text()).toBe('PSNR outside 40.0 dB');
  });
});
