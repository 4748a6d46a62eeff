import { mount } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { defineComponent, h, nextTick, ref } from 'vue';
import type { Envelope, ImageId } from '../../../shared/api';
import CanvasPromptBar from '../../../renderer/src/components/CanvasPromptBar.vue';
import GeneratePanel from '../../../renderer/src/components/GeneratePanel.vue';
import { promptBarRestMs, useCanvasTools } from '../../../renderer/src/composables/useCanvasTools';
import { disposeMaskLayer, useMaskLayer } from '../../../renderer/src/composables/useMaskLayer';
import { usePanZoom } from '../../../renderer/src/composables/usePanZoom';
import { useMaskStore } from '../../../renderer/src/stores/maskStore';
import { useDocumentStore } from '../../../renderer/src/stores/documentStore';
import { useEditStore } from '../../../renderer/src/stores/editStore';
import { useModelsStore } from '../../../renderer/src/stores/modelsStore';

// A fake of the project's own preload bridge: the renderer's client reads window.iir.
const calls: { channel: string; request: unknown }[] = [];

function handler(channel: string) {
  return (request: unknown): Promise<Envelope<unknown>> => {
    calls.push({ channel, request });
    if (channel === 'edit:start') return Promise.resolve({ ok: true, value: { jobId: 'job_1' } });
    if (channel === 'jobs:events') return Promise.resolve({ ok: true, value: { events: [] } });
    return Promise.resolve({ ok: true, value: { wasActive: true } });
  };
}

beforeAll(() => {
  const bridge = {
    edit: { start: handler('edit:start') },
    jobs: { cancel: handler('jobs:cancel'), events: handler('jobs:events'), list: handler('jobs:list') },
    on: () => () => undefined,
  };
  Object.defineProperty(window, 'iir', { value: bridge, configurable: true });
});

const info = {
  id: 'img_base' as ImageId,
  kind: 'original',
  width: 4,
  height: 2,
  hasAlpha: false,
  name: 'a.png',
  path: null,
} as const;

/** The side panel's Generate section and the canvas's prompt bar, as the editor shows them together. */
const Both = defineComponent(() => () => [
  h(GeneratePanel),
  h(CanvasPromptBar, { placement: { x: 40, y: 60, side: 'below' } }),
]);

describe('contextual prompt bar', () => {
  beforeEach(() => {
    setActivePinia(createPinia());
    disposeMaskLayer();
    calls.length = 0;
    useDocumentStore().adopt(info);
    const layer = useMaskLayer();
    layer.reset(4, 2);
    layer.edit('roi', 'brush', (mask) => {
      mask.data.set([0, 255, 255, 0, 0, 0, 0, 0]);
      return { x0: 0, y0: 0, x1: 4, y1: 2 };
    });
  });

  it('keeps one prompt with the side panel, both ways', async () => {
    const wrapper = mount(Both);
    const bar = wrapper.get('[data-testid=prompt-bar-text]');
    const side = wrapper.get('[data-testid=prompt]');
    await bar.setValue('a green cup');
    expect((side.element as HTMLTextAreaElement).value).toBe('a green cup');
    expect(useEditStore().prompt).toBe('a green cup');
    await side.setValue('a blue bowl');
    expect((bar.element as HTMLInputElement).value).toBe('a blue bowl');
  });

  it('generates the region with that prompt (Enter or its button), and offers Cancel while it runs', async () => {
    const models = useModelsStore();
    models.isLoaded = true;
    models.installed = [
      { id: 'sd15', role: 'sd15' },
      { id: 'controlnet-iir', role: 'controlnet-iir' },
    ] as typeof models.installed;
    const wrapper = mount(Both);
    await wrapper.get('[data-testid=prompt-bar-text]').setValue('a green cup');
    expect(wrapper.get('[data-testid=prompt-bar-generate]').attributes('disabled')).toBeUndefined();
    await wrapper.get('[data-testid=prompt-bar]').trigger('submit');
    await new Promise((resolve) => setTimeout(resolve, 0));
    await nextTick();
    const start = calls.find((c) => c.channel === 'edit:start')?.request as {
      roi: { mask: { data: Uint8Array } };
      params: { prompt: string };
    };
    expect(start.params.prompt).toBe('a green cup');
    expect(Array.from(start.roi.mask.data)).toEqual([0, 255, 255, 0, 0, 0, 0, 0]);
    expect(wrapper.find('[data-testid=prompt-bar-generate]').exists()).toBe(false);
    await wrapper.get('[data-testid=prompt-bar-cancel]').trigger('click');
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(calls.some((c) => c.channel === 'jobs:cancel')).toBe(true);
  });

  it('is disabled, like the side panel, without the models an edit needs; hidden without a placement', () => {
    const models = useModelsStore();
    models.isLoaded = true;
    const wrapper = mount(Both);
    expect(wrapper.get('[data-testid=prompt-bar-generate]').attributes('disabled')).toBeDefined();
    expect(wrapper.get('[data-testid=generate]').attributes('disabled')).toBeDefined();
    const hidden = mount(CanvasPromptBar, { props: { placement: null } });
    expect(hidden.get('[data-testid=prompt-bar]').attributes('style')).toContain('display: none');
    const shown = mount(CanvasPromptBar, { props: { placement: { x: 12, y: 34, side: 'above' } } });
    expect(shown.get('[data-testid=prompt-bar]').attributes('style')).toContain('translate(12px, 34px)');
    expect(shown.get('[data-testid=prompt-bar]').classes()).not.toContain('passive');
    const passive = mount(CanvasPromptBar, { props: { placement: { x: 0, y: 0, side: 'below' }, isPassive: true } });
    expect(passive.get('[data-testid=prompt-bar]').classes()).toContain('passive');
  });
});

describe('prompt bar while painting', () => {
  beforeEach(() => {
    setActivePinia(createPinia());
    disposeMaskLayer();
    vi.useFakeTimers();
  });
  afterEach(() => vi.useRealTimers());

  it('lets strokes through while a mask tool works the canvas, until the pointer rests or leaves', () => {
    let tools!: ReturnType<typeof useCanvasTools>;
    const Host = defineComponent(() => {
      const canvas = ref<HTMLCanvasElement | null>(null);
      tools = useCanvasTools({
        panZoom: usePanZoom(),
        isSpaceHeld: () => false,
        isComparing: () => false,
        canvas,
        stage: () => null,
        requestDraw: () => undefined,
      });
      return () => h('canvas', { ref: canvas });
    });
    mount(Host);
    const move = () => tools.onPointerMove(new PointerEvent('pointermove', { clientX: 5, clientY: 5 }));
    expect(tools.isWorking.value).toBe(false);
    move();
    expect(tools.isWorking.value).toBe(true);
    vi.advanceTimersByTime(promptBarRestMs - 100);
    move();
    vi.advanceTimersByTime(promptBarRestMs - 100);
    expect(tools.isWorking.value).toBe(true);
    vi.advanceTimersByTime(100);
    expect(tools.isWorking.value).toBe(false);
    move();
    tools.onPointerLeave();
    expect(tools.isWorking.value).toBe(false);
    useMaskStore().tool = 'pan';
    move();
    expect(tools.isWorking.value).toBe(false);
  });
});
