import { type DOMWrapper, flushPromises, mount } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { BatchEvent, Envelope } from '../../../shared/api';
import BatchSheet from '../../../renderer/src/components/BatchSheet.vue';
import RemoteWorkers from '../../../renderer/src/components/RemoteWorkers.vue';
import { lanesOf, useBatchStore } from '../../../renderer/src/stores/batchStore';
import { useRemoteStore } from '../../../renderer/src/stores/remoteStore';

// A fake of the project's own preload bridge: the renderer's client reads window.iir.
const calls: { channel: string; request: unknown }[] = [];
const listeners = new Map<string, (payload: unknown) => void>();
const answers: Record<string, (request: unknown) => Envelope<unknown>> = {};

function channel(name: string) {
  return (request: unknown): Promise<Envelope<unknown>> => {
    calls.push({ channel: name, request });
    return Promise.resolve(answers[name]?.(request) ?? { ok: true, value: {} });
  };
}

const worker = {
  id: 'gpu-box-41-aa',
  host: 'gpu-box',
  provider: 'cuda',
  device: { name: 'NVIDIA H200', memoryBytes: 141_000_000_000 },
  threads: 4,
  models: ['sd15', 'controlnet-canny', 'grounding-dino-tiny', 'sam-vit-b'],
  current: null,
  done: 12,
  failed: 0,
  perMinute: 30,
  msPerJob: 2000,
};

beforeAll(() => {
  const bridge = {
    remote: {
      connect: channel('remote:connect'),
      disconnect: channel('remote:disconnect'),
      workers: channel('remote:workers'),
    },
    batch: {
      start: channel('batch:start'),
      pause: channel('batch:pause'),
      resume: channel('batch:resume'),
      cancel: channel('batch:cancel'),
      supply: channel('batch:supply'),
      open: channel('batch:open'),
    },
    on: (name: string, listener: (payload: unknown) => void) => {
      listeners.set(name, listener);
      return () => listeners.delete(name);
    },
  };
  Object.defineProperty(window, 'iir', { value: bridge, configurable: true });
});

beforeEach(() => {
  setActivePinia(createPinia());
  calls.length = 0;
  for (const key of Object.keys(answers)) delete answers[key];
  answers['remote:workers'] = () => ({ ok: true, value: { queue: null, workers: [] } });
});

const file = (name: string) => new File([new Uint8Array([1, 2, 3])], name);

async function pick(
  wrapper: { get(selector: string): Pick<DOMWrapper<Element>, 'element' | 'trigger'> },
  testId: string,
  files: File[],
): Promise<void> {
  const input = wrapper.get(`[data-testid="${testId}"]`);
  Object.defineProperty(input.element, 'files', { value: files, configurable: true });
  await input.trigger('change');
  await flushPromises();
}

const item = (index: number, change: Partial<Extract<BatchEvent, { type: 'item' }>>): BatchEvent => ({
  type: 'item',
  batchId: 'batch_00000000-0000-0000-0000-000000000001',
  index,
  imageId: null,
  thumbId: null,
  state: 'waiting',
  maskId: null,
  resultId: null,
  worker: null,
  provider: null,
  step: null,
  message: null,
  ...change,
});

describe('Batch sheet', () => {
  it('keeps picked photos as files, hands each to main when asked, and follows each photo', async () => {
    const batchId = 'batch_00000000-0000-0000-0000-000000000001';
    answers['batch:start'] = () => {
      // Main asks for the first photo before the start's answer arrives: the sheet still hands it over.
      listeners.get('batch:event')!(item(0, { state: 'opening' }));
      return { ok: true, value: { batchId } };
    };
    answers['batch:pause'] = () => ({ ok: true, value: { state: 'paused' } });
    const wrapper = mount(BatchSheet);
    await pick(wrapper, 'batch-folder', [file('a.jpg'), file('notes.txt'), file('b.PNG'), file('c.jpg')]);
    // Nothing is read or sent to main when photos are picked.
    expect(calls.filter((c) => c.channel !== 'remote:workers')).toEqual([]);
    expect(wrapper.findAll('li.tile').map((tile) => tile.find('img').exists())).toEqual([false, false, false]);
    await wrapper.get('[data-testid="batch-region"]').setValue('the car');
    await wrapper.get('[data-testid="batch-prompt"]').setValue('a red car');
    expect(wrapper.get('[data-testid="batch-start"]').text()).toBe('Queue 3 photos on this machine');
    await wrapper.get('[data-testid="batch-start"]').trigger('click');
    await flushPromises();
    const start = calls.find((c) => c.channel === 'batch:start')!.request as Record<string, unknown>;
    expect(start).toMatchObject({ count: 3, region: 'the car' });
    expect(start.params).toMatchObject({ prompt: 'a red car', noise: 0.5 });
    const supplied = () => calls.filter((c) => c.channel === 'batch:supply').map((c) => c.request);
    expect(supplied()).toEqual([{ batchId, index: 0, image: { bytes: new Uint8Array([1, 2, 3]), name: 'a.jpg' } }]);

    const emit = listeners.get('batch:event')!;
    emit(item(0, { state: 'edited', thumbId: 'img_10' as never }));
    emit(item(1, { state: 'opening' }));
    emit(item(1, { state: 'editing', imageId: 'img_2' as never, thumbId: 'img_11' as never, step: { i: 3, n: 20 } }));
    emit(item(1, { state: 'editing', imageId: 'img_2' as never, thumbId: 'img_11' as never, step: { i: 4, n: 20 } }));
    await flushPromises();
    // Each photo is handed over once, when its turn comes (photo 2 is still waiting).
    expect(supplied().map((r) => (r as { index: number }).index)).toEqual([0, 1]);
    const tiles = wrapper.findAll('li.tile');
    expect(tiles[0]!.get('img').attributes('src')).toContain('img_10');
    expect(tiles[0]!.text()).toContain('edited');
    expect(tiles[0]!.find('[data-testid="batch-open-0"]').exists()).toBe(true);
    expect(tiles[1]!.text()).toContain('editing… 4/20');
    expect(tiles[1]!.find('[data-testid="batch-open-1"]').exists()).toBe(false);
    expect(tiles[2]!.find('img').exists()).toBe(false);

    await wrapper.get('[data-testid="batch-pause"]').trigger('click');
    await flushPromises();
    expect(calls.at(-1)).toEqual({ channel: 'batch:pause', request: { batchId } });
    expect(wrapper.find('[data-testid="batch-resume"]').exists()).toBe(true);
  });

  it('tells main a photo it cannot send, and says why "Open in editor" could not reopen one', async () => {
    const batchId = 'batch_00000000-0000-0000-0000-000000000001';
    answers['batch:start'] = () => ({ ok: true, value: { batchId } });
    answers['batch:open'] = () => ({
      ok: false,
      error: { code: 'not_found', message: 'this photo of the batch is no longer kept (run the batch again)' },
    });
    const wrapper = mount(BatchSheet);
    await pick(wrapper, 'batch-files', [new File([], 'empty.jpg'), file('b.jpg')]);
    await wrapper.get('[data-testid="batch-region"]').setValue('the car');
    await wrapper.get('[data-testid="batch-prompt"]').setValue('a red car');
    await wrapper.get('[data-testid="batch-start"]').trigger('click');
    await flushPromises();
    const emit = listeners.get('batch:event')!;
    emit(item(0, { state: 'opening' }));
    emit(item(1, { state: 'edited', thumbId: 'img_11' as never }));
    await flushPromises();
    expect(calls.find((c) => c.channel === 'batch:supply')!.request).toEqual({
      batchId,
      index: 0,
      unreadable: 'empty.jpg: The image must be between 1 byte and 256 MiB',
    });
    await wrapper.get('[data-testid="batch-open-1"]').trigger('click');
    await flushPromises();
    expect(calls.find((c) => c.channel === 'batch:open')!.request).toEqual({ batchId, index: 1 });
    expect(wrapper.get('[data-testid="batch-error"]').text()).toContain('b.jpg: ');
    expect(wrapper.get('[data-testid="batch-error"]').text()).toContain('no longer kept');
  });

  it('hands main a picked file’s path in the desktop app (main reads the photo itself)', async () => {
    const batchId = 'batch_00000000-0000-0000-0000-000000000001';
    answers['batch:start'] = () => ({ ok: true, value: { batchId } });
    Object.defineProperty(window, 'iirFiles', { value: { pathOf: () => '/photos/a.jpg' }, configurable: true });
    try {
      const wrapper = mount(BatchSheet);
      await pick(wrapper, 'batch-files', [file('a.jpg')]);
      await wrapper.get('[data-testid="batch-region"]').setValue('the car');
      await wrapper.get('[data-testid="batch-prompt"]').setValue('a red car');
      await wrapper.get('[data-testid="batch-start"]').trigger('click');
      await flushPromises();
      listeners.get('batch:event')!(item(0, { state: 'opening' }));
      await flushPromises();
      expect(calls.find((c) => c.channel === 'batch:supply')!.request).toEqual({
        batchId,
        index: 0,
        image: { path: '/photos/a.jpg' },
      });
    } finally {
      Reflect.deleteProperty(window, 'iirFiles');
    }
  });

  it('refuses to queue without a region text, in words', async () => {
    const wrapper = mount(BatchSheet);
    await pick(wrapper, 'batch-files', [file('a.jpg')]);
    await wrapper.get('[data-testid="batch-prompt"]').setValue('a red car');
    await wrapper.get('[data-testid="batch-start"]').trigger('click');
    await flushPromises();
    expect(wrapper.get('[data-testid="batch-error"]').text()).toBe('Say what to find in every photo.');
    expect(calls.some((c) => c.channel === 'batch:start')).toBe(false);
  });

  it('shows per-worker lanes when remote workers are set', async () => {
    answers['remote:workers'] = () => ({ ok: true, value: { queue: 'redis://gpu-box:6379/0', workers: [worker] } });
    const wrapper = mount(BatchSheet);
    await flushPromises();
    const batch = useBatchStore();
    batch.items = [0, 1, 2].map((index) => {
      const { type: _type, batchId: _batch, ...fields } = item(index, {}) as Extract<BatchEvent, { type: 'item' }>;
      return { ...fields, name: `p${index}.jpg` };
    });
    batch.batchId = 'batch_00000000-0000-0000-0000-000000000001';
    const emit = listeners.get('batch:event')!;
    emit(item(0, { state: 'edited', worker: worker.id }));
    emit(item(1, { state: 'edited', worker: 'other-worker' }));
    await flushPromises();
    expect(wrapper.text()).toContain('on 1 remote worker (redis://gpu-box:6379/0)');
    const lanes = wrapper.get('[data-testid="batch-lanes"]').findAll('.lane');
    expect(lanes.map((lane) => lane.get('strong').text())).toEqual([worker.id, 'other-worker']);
    // The heartbeat's thread budget (iir worker --threads) shows on its worker's lane.
    expect(lanes[0]!.text()).toContain('4 threads');
    expect(lanes[1]!.text()).not.toContain('thread');
    expect(lanesOf(batch.items).map((lane) => lane.items.length)).toEqual([1, 1]);
  });
});

describe('Devices → Remote workers', () => {
  it('connects through main, forgets the typed address, and lists the live workers', async () => {
    answers['remote:connect'] = () => ({ ok: true, value: { queue: 'redis://gpu-box:6379/0', workers: [worker] } });
    const wrapper = mount(RemoteWorkers);
    await flushPromises();
    await wrapper.get('[data-testid="remote-url"]').setValue('redis://:secret@gpu-box:6379/0');
    await wrapper.get('form').trigger('submit');
    await flushPromises();
    expect(calls.find((c) => c.channel === 'remote:connect')!.request).toEqual({
      url: 'redis://:secret@gpu-box:6379/0',
    });
    expect(useRemoteStore().queue).toBe('redis://gpu-box:6379/0');
    expect(wrapper.get('[data-testid="remote-queue"]').text()).toContain('redis://gpu-box:6379/0');
    expect(wrapper.html()).not.toContain('secret');
    const row = wrapper.get('[data-testid="remote-list"] tbody tr').text();
    expect(row).toContain('NVIDIA H200');
    expect(row).toContain('free');
    expect(row).toContain('30/min · 2.0 s each');
    expect(row).toContain('4 threads');
  });

  it('shows main’s one-line refusal and keeps the address to correct', async () => {
    answers['remote:connect'] = () => ({
      ok: false,
      error: { code: 'io_error', message: 'the queue at redis://gpu-box:6379/0 refused the user name or password' },
    });
    const wrapper = mount(RemoteWorkers);
    await wrapper.get('[data-testid="remote-url"]').setValue('redis://:wrong@gpu-box:6379/0');
    await wrapper.get('form').trigger('submit');
    await flushPromises();
    expect(wrapper.get('[data-testid="remote-error"]').text()).toContain('refused the user name or password');
    expect((wrapper.get('[data-testid="remote-url"]').element as HTMLInputElement).value).toBe(
      'redis://:wrong@gpu-box:6379/0',
    );
  });
});
