import { mount } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type Envelope, type ImageId, editParamsSchema } from '../../../shared/api';
import IirPanel from '../../../renderer/src/components/IirPanel.vue';
import { useEditStore } from '../../../renderer/src/stores/editStore';

// "Colour (lightness kept)": the preset turns on keep-lightness with a low σ, and the edit request carries it.
const starts: unknown[] = [];

beforeAll(() => {
  const bridge = {
    edit: {
      start: (request: unknown): Promise<Envelope<unknown>> => {
        starts.push(request);
        return Promise.resolve({ ok: true, value: { jobId: 'job_1' } });
      },
    },
    jobs: { events: () => Promise.resolve({ ok: true, value: { events: [] } }) },
    on: () => () => undefined,
  };
  Object.defineProperty(window, 'iir', { value: bridge, configurable: true });
});

describe('keep original lightness in the editor', () => {
  beforeEach(() => {
    setActivePinia(createPinia());
    starts.length = 0;
  });

  it('the preset turns it on with a low σ, the checkbox shows it, and the edit sends it', async () => {
    const edit = useEditStore();
    const wrapper = mount(IirPanel);
    const checkbox = wrapper.get<HTMLInputElement>('[data-testid="keep-lightness"]');
    expect(checkbox.element.checked).toBe(false);
    const button = wrapper.findAll('button').find((b) => b.text() === 'Colour (lightness kept)')!;
    await button.trigger('click');
    expect(edit.preset).toBe('colourLightness');
    expect(edit.iir.keepLightness).toBe(true);
    expect(edit.iir.noise).toBeLessThanOrEqual(0.1);
    expect(checkbox.element.checked).toBe(true);
    expect(button.attributes('aria-pressed')).toBe('true');

    edit.prompt = 'a red car';
    await edit.generate('img_1' as ImageId, { width: 2, height: 1, data: new Uint8Array([255, 0]) });
    const params = (starts[0] as { params: Record<string, unknown> }).params;
    expect(params).toMatchObject({ keepLightness: true, noise: edit.iir.noise });
    expect(editParamsSchema.parse(params).keepLightness).toBe(true);

    await checkbox.setValue(false);
    expect(edit.preset).toBeNull();
    await wrapper
      .findAll('button')
      .find((b) => b.text() === 'Colour')!
      .trigger('click');
    expect(edit.iir.keepLightness).toBe(false);
  });
});
