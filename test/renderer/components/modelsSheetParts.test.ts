import { mount } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import { describe, expect, it } from 'vitest';
import ModelPicker from '../../../renderer/src/components/ModelPicker.vue';
import ModelsCatalog from '../../../renderer/src/components/models/ModelsCatalog.vue';
import ModelsInstalled from '../../../renderer/src/components/models/ModelsInstalled.vue';
import type { CatalogRow } from '../../../renderer/src/stores/models/catalogRows';
import { useModelsStore } from '../../../renderer/src/stores/modelsStore';

const model = (id: string, installed = false) => ({
  id,
  title: id.toUpperCase(),
  role: 'sam',
  license: 'apache-2.0',
  bytes: 1_000_000,
  installed,
});

function row(id: string, fields: Partial<CatalogRow>): CatalogRow {
  return {
    model: model(id),
    status: 'available',
    progress: null,
    keptBytes: 0,
    freedBytes: null,
    problem: null,
    ...fields,
  };
}

describe('ModelsCatalog renders rows and emits', () => {
  it('a paused download shows the bytes kept, offers Resume and Delete, and emits them', async () => {
    const rows = [row('slimsam-77', { status: 'paused', keptBytes: 400_000 })];
    const catalog = mount(ModelsCatalog, { props: { bundles: [], rows } });
    const card = catalog.get('[data-testid="catalog-slimsam-77"]');
    expect(card.get('[data-testid="kept"]').text()).toMatch(/^Paused · 400 kB of 1.0 MB kept on disk$/);
    expect(card.text()).not.toContain('0 KB');
    await card.get('[data-testid="delete-partial-slimsam-77"]').trigger('click');
    await card
      .findAll('button')
      .find((b) => b.text() === 'Resume')!
      .trigger('click');
    expect(catalog.emitted('deletePartial')).toEqual([['slimsam-77']]);
    expect(catalog.emitted('pull')).toEqual([[['slimsam-77']]]);
  });

  it('after deleting, says what was freed and offers Download again', () => {
    const rows = [row('slimsam-77', { freedBytes: 400_000 })];
    const card = mount(ModelsCatalog, { props: { bundles: [], rows } }).get('[data-testid="catalog-slimsam-77"]');
    expect(card.get('[data-testid="freed"]').text()).toBe('Partial download deleted: 400 kB freed.');
    expect(card.find('[data-testid="delete-partial-slimsam-77"]').exists()).toBe(false);
  });

  it('an installed model that failed its check is never shown as Installed', () => {
    const rows = [row('sam', { model: model('sam', true), status: 'failed', problem: 'sam: missing onnx' })];
    const card = mount(ModelsCatalog, { props: { bundles: [], rows } }).get('[data-testid="catalog-sam"]');
    expect(card.text()).not.toContain('Installed');
    expect(card.get('[data-testid="check-failed"]').text()).toContain('Failed its check');
  });
});

describe('ModelsInstalled', () => {
  const installed = [
    { id: 'sam', role: 'sam', path: '/m/sam', bytes: 5_000_000, linked: false, verification: 'verified' as const },
  ];

  it('a model that failed its check says why and is not "Verified", even when its receipt is verified', () => {
    const view = mount(ModelsInstalled, {
      props: { models: installed, health: { sam: 'failed' }, problems: { sam: ['sam: missing x'] }, diskBytes: {} },
    });
    expect(view.get('[data-testid="failed-sam"]').text()).toBe('Failed its check: sam: missing x');
    expect(view.text()).not.toContain('Verified');
  });

  it('Remove asks first and emits only after the confirmation', async () => {
    const view = mount(ModelsInstalled, {
      props: { models: installed, health: { sam: 'verified' }, problems: {}, diskBytes: { sam: 6_000_000 } },
    });
    expect(view.text()).toContain('Verified');
    await view.get('[data-testid="remove-sam"]').trigger('click');
    expect(view.emitted('remove')).toBeUndefined();
    expect(view.get('[data-testid="confirm-remove"]').text()).toContain('Delete sam? This frees 6.0 MB.');
    await view
      .findAll('button')
      .find((b) => b.text() === 'Remove')!
      .trigger('click');
    expect(view.emitted('remove')).toEqual([['sam']]);
  });
});

describe('ModelPicker', () => {
  it("offers only the kinds with several installed models, and a pick becomes the document's", async () => {
    setActivePinia(createPinia());
    const store = useModelsStore();
    const entry = (id: string, role: string) => ({
      id,
      role,
      path: `/m/${id}`,
      bytes: 1,
      linked: false,
      verification: 'verified' as const,
    });
    store.installed = [entry('sd-a', 'sd15'), entry('sd-b', 'sd15'), entry('cn', 'controlnet-canny')];
    const chosen: string[] = [];
    store.choose = (role, id) => {
      chosen.push(`${role}=${id}`);
      store.adoptChoice({ ...store.modelChoice, [role]: id });
      return Promise.resolve();
    };
    const picker = mount(ModelPicker, { props: { roles: ['sd15', 'controlnet'] } });
    expect(picker.find('[data-testid="model-controlnet"]').exists()).toBe(false);
    const select = picker.get('[data-testid="model-sd15"]');
    expect((select.element as HTMLSelectElement).value).toBe('sd-a');
    await select.setValue('sd-b');
    expect(chosen).toEqual(['sd15=sd-b']);
    expect(store.editModels()).toEqual({ sd: 'sd-b', controlnet: 'cn' });
  });
});
