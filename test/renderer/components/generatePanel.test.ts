import { mount } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { nextTick } from 'vue';
import type { Envelope, EventChannel, ImageId, JobEvent, JobId } from '../../../shared/api';
import GeneratePanel from '../../../renderer/src/components/GeneratePanel.vue';
import { useDocumentStore } from '../../../renderer/src/stores/documentStore';
import { watchJobResults } from '../../../renderer/src/composables/useJobResults';
import { useEditStore } from '../../../renderer/src/stores/editStore';
import { useHistoryStore } from '../../../renderer/src/stores/historyStore';
import { useJobsStore } from '../../../renderer/src/stores/jobsStore';

// A fake of the project's own preload bridge: the renderer's client reads window.iir.
const calls: { channel: string; request: unknown }[] = [];
const listeners = new Map<string, Set<(payload: unknown) => void>>();
let editAnswer: Envelope<unknown> = { ok: true, value: { jobId: 'job_1' } };

function emit(channel: EventChannel, payload: unknown): void {
  for (const listener of listeners.get(channel) ?? []) listener(payload);
}

function handler(channel: string) {
  return (request: unknown): Promise<Envelope<unknown>> => {
    calls.push({ channel, request });
    if (channel === 'edit:start') return Promise.resolve(editAnswer);
    if (channel === 'jobs:events') return Promise.resolve({ ok: true, value: { events: [] } });
    return Promise.resolve({ ok: true, value: { wasActive: true } });
  };
}

beforeAll(() => {
  const bridge = {
    edit: { start: handler('edit:start') },
    jobs: { cancel: handler('jobs:cancel'), events: handler('jobs:events'), list: handler('jobs:list') },
    on: (channel: string, listener: (payload: unknown) => void) => {
      let set = listeners.get(channel);
      if (!set) listeners.set(channel, (set = new Set()));
      set.add(listener);
      return () => set.delete(listener);
    },
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
const roi = { width: 4, height: 2, data: new Uint8Array([0, 255, 255, 0, 0, 0, 0, 0]) };
const event = (e: Record<string, unknown>) => ({ jobId: 'job_1' as JobId, kind: 'edit', ...e }) as JobEvent;

describe('Generate panel with the job flow', () => {
  beforeEach(() => {
    setActivePinia(createPinia());
    calls.length = 0;
    editAnswer = { ok: true, value: { jobId: 'job_1' } };
  });

  it('sends the parameters, follows queue → steps → results, and shows the provider', async () => {
    const documentStore = useDocumentStore();
    documentStore.adopt(info);
    const edit = useEditStore();
    edit.prompt = 'a green cup';
    edit.steps = 12;
    const stop = watchJobResults();
    const wrapper = mount(GeneratePanel);
    await edit.generate(info.id, roi);
    const start = calls.find((c) => c.channel === 'edit:start')!.request as {
      imageId: string;
      roi: { mask: { data: Uint8Array } };
      params: Record<string, unknown>;
    };
    expect(start.imageId).toBe('img_base');
    expect(Array.from(start.roi.mask.data)).toEqual(Array.from(roi.data));
    expect(start.params).toMatchObject({ prompt: 'a green cup', steps: 12, seed: 1234, dilatePx: 8, featherPx: 8 });

    emit('jobs:event', event({ type: 'queued', position: 2 }));
    await nextTick();
    expect(wrapper.get('[data-testid=edit-status]').text()).toBe('Queued — position 2');
    expect(wrapper.find('[data-testid=cancel]').exists()).toBe(true);
    emit('jobs:event', event({ type: 'loading' }));
    emit('jobs:event', event({ type: 'step', i: 3, n: 12 }));
    await nextTick();
    expect(wrapper.get('[data-testid=edit-status]').text()).toBe('Step 3 of 12');

    emit(
      'jobs:event',
      event({ type: 'completed', result: { kind: 'edit', resultIds: ['img_r1'], seeds: [1234], provider: 'cpu' } }),
    );
    await nextTick();
    // The app's own glue (App.vue starts it through the document session) took the result in.
    expect(edit.results).toMatchObject([{ id: 'img_r1', seed: 1234, prompt: 'a green cup', generation: 1 }]);
    expect(useHistoryStore().entries.at(-1)?.step).toMatchObject({ kind: 'generate', resultIds: ['img_r1'] });
    expect(wrapper.get('[data-testid=edit-status]').text()).toBe('Done · ran on cpu');
    stop();
  });

  it('cancels with the job id and ends in cancelled', async () => {
    useDocumentStore().adopt(info);
    const edit = useEditStore();
    edit.prompt = 'x';
    const wrapper = mount(GeneratePanel);
    await edit.generate(info.id, roi);
    await useJobsStore().cancel('edit');
    expect(calls.find((c) => c.channel === 'jobs:cancel')?.request).toEqual({ jobId: 'job_1' });
    emit('jobs:event', event({ type: 'cancelled' }));
    await nextTick();
    expect(wrapper.get('[data-testid=edit-status]').text()).toBe('Cancelled');
  });

  it('says what is wrong next to the button: an empty prompt, an empty region, a refused start', async () => {
    useDocumentStore().adopt(info);
    const edit = useEditStore();
    const wrapper = mount(GeneratePanel);
    await edit.generate(info.id, roi);
    expect(edit.error).toMatch(/type a prompt first/);
    edit.prompt = 'x';
    await edit.generate(info.id, { ...roi, data: new Uint8Array(8) });
    expect(edit.error).toMatch(/The region is empty/);
    editAnswer = { ok: false, error: { code: 'model_missing', message: 'no Stable Diffusion 1.5 model is installed' } };
    await edit.generate(info.id, roi);
    await nextTick();
    expect(wrapper.get('[data-testid=edit-error]').text()).toBe(
      'No Stable Diffusion 1.5 model is installed. Download the missing models from the Models sheet.',
    );
    expect(calls.filter((c) => c.channel === 'edit:start')).toHaveLength(1);
  });
});
