import { mount } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { nextTick } from 'vue';
import type { Envelope } from '../../../shared/api';
import ModelsSheet from '../../../renderer/src/components/ModelsSheet.vue';
import { useModelsStore } from '../../../renderer/src/stores/modelsStore';

// A fake of the project's own preload bridge: the renderer's client reads window.iir.
const calls: { channel: string; request: unknown }[] = [];

function handler(channel: string, value: unknown) {
  return (request: unknown): Promise<Envelope<unknown>> => {
    calls.push({ channel, request });
    return Promise.resolve({ ok: true, value });
  };
}

beforeAll(() => {
  const bridge = {
    models: {
      remove: handler('models:remove', { removed: true }),
      installed: handler('models:installed', { models: [] }),
      diskUsage: handler('models:diskUsage', {
        folder: '/m',
        models: [],
        partialBytes: 0,
        totalBytes: 0,
        freeBytes: null,
      }),
    },
    on: () => () => undefined,
  };
  Object.defineProperty(window, 'iir', { value: bridge, configurable: true });
});

const flush = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('Models sheet: removing a model', () => {
  beforeEach(() => {
    setActivePinia(createPinia());
    calls.length = 0;
    const store = useModelsStore();
    store.installed = [
      {
        id: 'sd15-fp16',
        role: 'sd15',
        path: '/m/sd15-fp16',
        bytes: 2_000_000_000,
        linked: false,
        verification: 'verified',
      },
      { id: 'my-sam', role: 'sam', path: '/home/me/sam', bytes: 40_000_000, linked: true, verification: 'unverified' },
    ];
    store.disk = {
      folder: '/m',
      models: [{ id: 'sd15-fp16', bytes: 2_150_000_000, partialBytes: 0, installed: true }],
      partialBytes: 150_000_000,
      totalBytes: 2_150_000_000,
      freeBytes: null,
    };
  });

  it('asks first, naming the model and the bytes freed, and removes only after the confirmation', async () => {
    const sheet = mount(ModelsSheet);
    await sheet.get('[data-testid="remove-sd15-fp16"]').trigger('click');
    expect(calls.filter((c) => c.channel === 'models:remove')).toEqual([]);
    const confirm = sheet.get('[data-testid="confirm-remove"]');
    expect(confirm.text()).toContain('Delete sd15-fp16? This frees 2.15 GB.');
    await confirm
      .findAll('button')
      .find((b) => b.text() === 'Remove')!
      .trigger('click');
    await flush();
    expect(calls.filter((c) => c.channel === 'models:remove')).toEqual([
      { channel: 'models:remove', request: { id: 'sd15-fp16' } },
    ]);
    await nextTick();
    expect(sheet.find('[data-testid="confirm-remove"]').exists()).toBe(false);
  });

  it('Keep cancels; a linked model says its files stay where they are', async () => {
    const sheet = mount(ModelsSheet);
    await sheet.get('[data-testid="remove-my-sam"]').trigger('click');
    const confirm = sheet.get('[data-testid="confirm-remove"]');
    expect(confirm.text()).toContain('Forget my-sam? Its files stay in /home/me/sam.');
    await confirm
      .findAll('button')
      .find((b) => b.text() === 'Keep')!
      .trigger('click');
    expect(sheet.find('[data-testid="confirm-remove"]').exists()).toBe(false);
    expect(calls.filter((c) => c.channel === 'models:remove')).toEqual([]);
  });
});
