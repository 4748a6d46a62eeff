import { mount } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import { describe, expect, it } from 'vitest';
import { nextTick } from 'vue';
import ProjectMessage from '../../../renderer/src/components/ProjectMessage.vue';
import { useProjectFile } from '../../../renderer/src/composables/useProjectFile';
import { useModelsStore } from '../../../renderer/src/stores/modelsStore';

describe('ProjectMessage: a project whose models are missing', () => {
  it('names them and offers to download those the catalog has', async () => {
    setActivePinia(createPinia());
    const models = useModelsStore();
    const pulled: string[][] = [];
    models.pull = (ids) => {
      pulled.push(ids);
      return Promise.resolve();
    };
    const project = useProjectFile();
    project.message.value =
      'This project uses sam-vit-base, which is not installed: download it to regenerate its results.';
    project.missingDownloads.value = ['sam-vit-base'];
    const view = mount(ProjectMessage);
    expect(view.get('[data-testid="project-message"]').text()).toContain('sam-vit-base, which is not installed');
    await view.get('[data-testid="download-missing"]').trigger('click');
    expect(pulled).toEqual([['sam-vit-base']]);
    await nextTick();
    expect(view.find('[data-testid="project-message"]').exists()).toBe(false);
  });
});
