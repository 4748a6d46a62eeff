/**
 * The Models sheet offers "Make fp32 variant (for CPU)" when the provider that will run the denoiser is the CPU:
 * the UNet's pin, else the "Run on" choice, with `auto` as the pre-flight resolved it. The click asks main for
 * `models:widen`.
 */
import { mount } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { nextTick } from 'vue';
import type { Envelope } from '../../../shared/api';
import ModelsSheet from '../../../renderer/src/components/ModelsSheet.vue';
import { useModelsStore } from '../../../renderer/src/stores/modelsStore';
import { useSettingsStore } from '../../../renderer/src/stores/settingsStore';

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
      widen: handler('models:widen', { started: 'sd15-fp16-fp32' }),
      installed: handler('models:installed', { models: [] }),
    },
    on: () => () => undefined,
  };
  Object.defineProperty(window, 'iir', { value: bridge, configurable: true });
});

const flush = () => new Promise((resolve) => setTimeout(resolve, 0));
const offer = '[data-testid="fp32-sd15-fp16"]';

function devices(auto: string) {
  return { providers: [], auto };
}

describe('Models sheet: the fp32 variant for CPU', () => {
  beforeEach(() => {
    setActivePinia(createPinia());
    calls.length = 0;
    useModelsStore().installed = [
      {
        id: 'sd15-fp16',
        role: 'sd15',
        path: '/m/sd15-fp16',
        bytes: 1,
        linked: false,
        verification: 'verified',
        fp16: true,
      },
    ];
  });

  it('offers it when auto resolves to the CPU, and asks main to make it', async () => {
    useModelsStore().devices = devices('cpu');
    const sheet = mount(ModelsSheet);
    await sheet.get(`${offer} button`).trigger('click');
    await flush();
    expect(calls.filter((c) => c.channel === 'models:widen')).toEqual([
      { channel: 'models:widen', request: { id: 'sd15-fp16' } },
    ]);
  });

  it('does not offer it when a GPU runs the UNet, and does when the UNet is pinned to the CPU', async () => {
    const models = useModelsStore();
    const settings = useSettingsStore();
    models.devices = devices('cuda');
    const sheet = mount(ModelsSheet);
    expect(sheet.find(offer).exists()).toBe(false);
    settings.settings = { ...settings.settings, providerPerRole: { unet: 'cpu' } };
    await nextTick();
    expect(sheet.find(offer).exists()).toBe(true);
    settings.settings = { ...settings.settings, provider: 'cpu', providerPerRole: { unet: 'webgpu' } };
    await nextTick();
    expect(sheet.find(offer).exists()).toBe(false);
  });
});

describe('Models sheet: the catalog says which downloads want their fp32 variant on a CPU', () => {
  beforeEach(() => {
    setActivePinia(createPinia());
    const models = useModelsStore();
    models.installed = [];
    models.catalog = {
      models: [
        { id: 'sd15-fp16', title: 'SD1.5 fp16', role: 'sd15', license: 'x', bytes: 1, installed: false, fp16: true },
        { id: 'sd15-fp32', title: 'SD1.5 fp32', role: 'sd15', license: 'x', bytes: 1, installed: false },
      ],
      bundles: [{ id: 'starter', title: 'Starter', models: ['sd15-fp16'], bytes: 1 }],
    };
  });

  it('on the CPU: the fp16 entry and the first-run bundle holding it say so; the fp32 entry does not', () => {
    useModelsStore().devices = devices('cpu');
    const sheet = mount(ModelsSheet);
    expect(sheet.get('[data-testid="cpu-fp32-sd15-fp16"]').text()).toMatch(/make its fp32 variant/);
    expect(sheet.get('[data-testid="cpu-fp32-starter"]').text()).toMatch(/fp32 variants of its fp16 models/);
    expect(sheet.find('[data-testid="cpu-fp32-sd15-fp32"]').exists()).toBe(false);
  });

  it('on a GPU: no such line', () => {
    useModelsStore().devices = devices('cuda');
    const sheet = mount(ModelsSheet);
    expect(sheet.find('[data-testid="cpu-fp32-sd15-fp16"]').exists()).toBe(false);
    expect(sheet.find('[data-testid="cpu-fp32-starter"]').exists()).toBe(false);
  });
});
