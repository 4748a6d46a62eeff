import { mount } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { nextTick } from 'vue';
import type { Envelope, ImageId, JobId } from '../../../shared/api';
import SweepSheet from '../../../renderer/src/components/SweepSheet.vue';
import { useDocumentStore } from '../../../renderer/src/stores/documentStore';
import { useEditStore } from '../../../renderer/src/stores/editStore';
import { useHistoryStore } from '../../../renderer/src/stores/historyStore';
import { useSweepStore } from '../../../renderer/src/stores/sweepStore';

// The Sweep sheet over a fake of the preload bridge: the request it sends, progress and cancel, the labelled grid,
// arrow keys and Enter, picking into the results strip with the cell's recipe, and letting go of the rest.
const calls: { channel: string; request: unknown }[] = [];
const listeners = new Set<(payload: unknown) => void>();

function answer(channel: string) {
  return (request: unknown): Promise<Envelope<unknown>> => {
    calls.push({ channel, request });
    if (channel === 'sweep:start') return Promise.resolve({ ok: true, value: { jobId: 'job_9' } });
    if (channel === 'jobs:events') return Promise.resolve({ ok: true, value: { events: [] } });
    return Promise.resolve({ ok: true, value: { wasActive: true, released: true } });
  };
}

beforeAll(() => {
  const bridge = {
    sweep: { start: answer('sweep:start') },
    jobs: { cancel: answer('jobs:cancel'), events: answer('jobs:events') },
    images: { release: answer('images:release') },
    on: (_: string, listener: (payload: unknown) => void) => (
      listeners.add(listener),
      () => listeners.delete(listener)
    ),
  };
  Object.defineProperty(window, 'iir', { value: bridge, configurable: true });
});

const emit = (event: Record<string, unknown>): void => {
  for (const listener of listeners) listener({ jobId: 'job_9' as JobId, kind: 'sweep', ...event });
};
const id = (s: string) => s as ImageId;
const result = {
  kind: 'sweep',
  axes: [
    { key: 'noise', values: [0.1, 0.5] },
    { key: 'seed', values: [1, 2, 3] },
  ],
  crop: { x0: 0, y0: 0, x1: 4, y1: 2 },
  cells: [0, 1, 2, 3, 4, 5].map((i) => ({
    resultId: id(`img_r${i}`),
    tileId: id(`img_t${i}`),
    seed: (i % 3) + 1,
    params: { noise: i < 3 ? 0.1 : 0.5, seed: (i % 3) + 1 },
  })),
  provider: 'cpu',
};

describe('the Sweep sheet', () => {
  beforeEach(() => {
    setActivePinia(createPinia());
    calls.length = 0;
    useDocumentStore().adopt({
      id: id('img_base'),
      kind: 'original',
      width: 4,
      height: 2,
      hasAlpha: false,
      name: 'a.png',
      path: null,
    });
  });

  it('says what blocks a run, then sends the grid with the panels’ parameters', async () => {
    const sweep = useSweepStore();
    const edit = useEditStore();
    sweep.show();
    const wrapper = mount(SweepSheet);
    expect(wrapper.get('[data-testid="sweep-run"]').attributes('disabled')).toBeDefined();
    expect(wrapper.get('[data-testid="sweep-status"]').text()).toBe('Type a prompt in Generate first.');
    edit.prompt = 'a red car';
    edit.iir = { ...edit.iir, keepLightness: true };
    await wrapper.get('[data-testid="sweep-values-0"]').setValue('0.1, 2');
    expect(wrapper.get('[data-testid="sweep-status"]').text()).toBe('noise must be a number from 0 to 1, got 2');
    await wrapper.get('[data-testid="sweep-values-0"]').setValue('0.1, 0.5');
    await wrapper.get('[data-testid="sweep-values-1"]').setValue('1..3');
    expect(wrapper.get('[data-testid="sweep-run"]').text()).toBe('Run 6 cells');
    await sweep.run(id('img_base'), { width: 4, height: 2, data: new Uint8Array([0, 255, 255, 0, 0, 0, 0, 0]) }, [
      'sd',
    ]);
    const request = calls.find((c) => c.channel === 'sweep:start')!.request as Record<string, unknown>;
    expect(request.axes).toEqual(result.axes);
    expect(request.params).toMatchObject({ prompt: 'a red car', keepLightness: true, variations: 1 });

    emit({ type: 'step', i: 3, n: 12 });
    await nextTick();
    expect(wrapper.get('[data-testid="sweep-status"]').text()).toBe('cell 2 of 6 · step 3 of 12');
    await wrapper.get('[data-testid="sweep-cancel"]').trigger('click');
    expect(calls.some((c) => c.channel === 'jobs:cancel')).toBe(true);
    wrapper.unmount();
  });

  it('shows the labelled grid; arrows move, Enter and clicks pick into the strip; closing lets the rest go', async () => {
    const sweep = useSweepStore();
    const edit = useEditStore();
    edit.prompt = 'a red car';
    sweep.show();
    const wrapper = mount(SweepSheet, { attachTo: document.body });
    await sweep.run(id('img_base'), { width: 4, height: 2, data: new Uint8Array([255, 0, 0, 0, 0, 0, 0, 0]) }, []);
    emit({ type: 'completed', result });
    await nextTick();
    const grid = wrapper.get('[data-testid="sweep-grid"]');
    expect(grid.findAll('[role="columnheader"]').map((h) => h.text())).toEqual(['seed 1', 'seed 2', 'seed 3']);
    expect(grid.findAll('[role="rowheader"]').map((h) => h.text())).toEqual(['σ 0.1', 'σ 0.5']);
    const sources = grid.findAll('img').map((i) => i.attributes('src') ?? '');
    expect(sources.map((src) => src.slice(src.lastIndexOf('/') + 1))).toEqual(result.cells.map((c) => c.tileId));

    for (const key of ['ArrowRight', 'ArrowRight', 'ArrowRight', 'ArrowDown', 'ArrowLeft'])
      await grid.trigger('keydown', { key });
    expect(sweep.focused).toBe(4);
    await grid.trigger('keydown', { key: 'Enter' });
    expect(edit.results).toHaveLength(1);
    expect(edit.results[0]!.id).toBe('img_r4');
    expect(edit.results[0]!.recipe.params).toMatchObject({ prompt: 'a red car', noise: 0.5, seed: 2, variations: 1 });
    expect(edit.selected).toBe(0);
    await grid.get('[data-testid="sweep-cell-0"]').trigger('click');
    await grid.trigger('keydown', { key: 'Enter' });
    expect(edit.results.map((r) => r.id)).toEqual(['img_r4', 'img_r0']);
    expect(grid.get('[data-testid="sweep-cell-0"]').attributes('aria-label')).toBe('σ 0.1, seed 1, in the results');
    expect(new Set(edit.results.map((r) => r.generation)).size).toBe(1);
    const steps = useHistoryStore().entries.map((e) => e.step);
    expect(steps.map((s) => (s.kind === 'generate' ? s.resultIds : []))).toEqual([['img_r4'], ['img_r0']]);

    window.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape' }));
    await nextTick();
    expect(sweep.isOpen).toBe(false);
    const released = calls.filter((c) => c.channel === 'images:release').map((c) => (c.request as { id: string }).id);
    expect(released.sort()).toEqual(
      [...result.cells.map((c) => c.tileId), ...['img_r1', 'img_r2', 'img_r3', 'img_r5']].sort(),
    );
    wrapper.unmount();
  });
});
