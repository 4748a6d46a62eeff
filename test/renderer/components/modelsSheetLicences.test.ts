import { flushPromises, mount } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Envelope } from '../../../shared/api';
import ModelsSheet from '../../../renderer/src/components/ModelsSheet.vue';
import { useModelsStore } from '../../../renderer/src/stores/modelsStore';

// A fake of the project's own preload bridge: the renderer's client reads window.iir.
const calls: { channel: string; request: unknown }[] = [];
const licence = {
  id: 'creativeml-openrail-m',
  name: 'CreativeML OpenRAIL-M',
  url: 'https://huggingface.co/spaces/CompVis/stable-diffusion-license',
  summary: 'Use, copy and share, within the use restrictions.',
  restrictions: ['No use that breaks the law.', 'Pass the restrictions on.'],
  sha256: 'a'.repeat(64),
  accepted: false,
};
let licences = [licence];

function answer(channel: string, request: unknown): Promise<Envelope<unknown>> {
  calls.push({ channel, request });
  if (channel === 'models:licenses') return Promise.resolve({ ok: true, value: { licenses: licences } });
  if (channel === 'models:acceptLicenses') return Promise.resolve({ ok: true, value: { accepted: [licence.id] } });
  if (channel === 'models:pull') return Promise.resolve({ ok: true, value: { started: ['sd15-fp16'] } });
  return Promise.resolve({ ok: true, value: {} });
}

beforeAll(() => {
  const models = Object.fromEntries(
    ['catalog', 'installed', 'pull', 'licenses', 'acceptLicenses', 'pause', 'cancel', 'diskUsage'].map((verb) => {
      const channel = `models:${verb}`;
      return [verb, (request: unknown) => answer(channel, request)];
    }),
  );
  Object.defineProperty(window, 'iir', { value: { models, on: () => () => undefined }, configurable: true });
});

beforeEach(() => {
  setActivePinia(createPinia());
  calls.length = 0;
  licences = [licence];
});

describe('Models sheet: licences before the first download', () => {
  it('shows the licence name, link and key restrictions, and downloads only after the user accepts', async () => {
    const wrapper = mount(ModelsSheet);
    const store = useModelsStore();
    await store.pull(['sd15-fp16']);
    await flushPromises();
    expect(calls.map((c) => c.channel)).toEqual(['models:licenses']);
    const prompt = wrapper.get('[data-testid="licence-prompt"]');
    expect(prompt.text()).toContain('CreativeML OpenRAIL-M');
    expect(prompt.get('a').attributes('href')).toBe(licence.url);
    expect(prompt.findAll('li').map((li) => li.text())).toEqual(licence.restrictions);

    await wrapper.get('[data-testid="accept-licences"]').trigger('click');
    await flushPromises();
    expect(calls.slice(1)).toEqual([
      { channel: 'models:acceptLicenses', request: { licenses: [{ id: licence.id, sha256: licence.sha256 }] } },
      { channel: 'models:pull', request: { ids: ['sd15-fp16'] } },
    ]);
    expect(wrapper.find('[data-testid="licence-prompt"]').exists()).toBe(false);
  });

  it('downloads nothing when the user cancels, and asks nothing once the licence is accepted', async () => {
    const wrapper = mount(ModelsSheet);
    const store = useModelsStore();
    await store.pull(['sd15-fp16']);
    await flushPromises();
    const cancel = wrapper.get('[data-testid="licence-prompt"]').findAll('button').at(1)!;
    await cancel.trigger('click');
    expect(wrapper.find('[data-testid="licence-prompt"]').exists()).toBe(false);
    expect(calls.some((c) => c.channel === 'models:pull')).toBe(false);

    licences = [{ ...licence, accepted: true }];
    await store.pull(['sd15-fp16']);
    await flushPromises();
    expect(calls.at(-1)).toEqual({ channel: 'models:pull', request: { ids: ['sd15-fp16'] } });
    expect(wrapper.find('[data-testid="licence-prompt"]').exists()).toBe(false);
  });

  it('marks an installed model with no published SHA-256 as unverified', async () => {
    const wrapper = mount(ModelsSheet);
    const store = useModelsStore();
    store.installed = [
      { id: 'checked', role: 'sam', path: '/m/checked', bytes: 10, verification: 'verified', linked: false },
      { id: 'unchecked', role: 'sam', path: '/m/unchecked', bytes: 10, verification: 'unverified', linked: false },
    ];
    await flushPromises();
    const cards = wrapper.get('[data-testid="installed-models"]').findAll('li');
    expect(cards[0]!.find('[data-testid="unverified"]').exists()).toBe(false);
    expect(cards[1]!.get('[data-testid="unverified"]').text()).toContain('unverified');
  });
});
