import { mount } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import { beforeAll, describe, expect, it } from 'vitest';
import { nextTick } from 'vue';
import type { ImageId, ImageInfo } from '../../../shared/api';
import ResultsBar from '../../../renderer/src/components/ResultsBar.vue';
import { useDocumentStore } from '../../../renderer/src/stores/documentStore';

// A fake of the project's own preload bridge: every export fails as a full disk would.
beforeAll(() => {
  Object.defineProperty(window, 'iir', {
    configurable: true,
    value: {
      dialogs: { save: () => Promise.resolve({ ok: true, value: { path: '/photos/a-edited.png' } }) },
      images: {
        export: () => Promise.resolve({ ok: false, error: { code: 'io_error', message: 'the disk is full' } }),
      },
      on: () => () => undefined,
    },
  });
});

const photo = (name: string): ImageInfo => ({
  id: `img_${name}` as ImageId,
  kind: 'original',
  width: 4,
  height: 2,
  hasAlpha: false,
  name: `${name}.png`,
  path: `/photos/${name}.png`,
});

describe('the results bar', () => {
  it('clears the last export error when another photo is opened', async () => {
    setActivePinia(createPinia());
    const documentStore = useDocumentStore();
    documentStore.adopt(photo('a'));
    const wrapper = mount(ResultsBar, { props: { differenceStats: null } });
    await wrapper.get('form').trigger('submit');
    for (let i = 0; i < 5; i++) await nextTick();
    expect(wrapper.get('[data-testid=export-error]').text()).toMatch(/^The disk is full\./);
    documentStore.adopt(photo('b'));
    await nextTick();
    expect(wrapper.find('[data-testid=export-error]').exists()).toBe(false);
  });
});
