import { defineStore } from 'pinia';
import { ref } from 'vue';
import type { ModelChoice, ResponseOf } from '../../../shared/api';
import { modelIdSchema } from '../../../shared/api';
import { api } from '../api/client';
import { describeError } from '../editing/errorMessages';
import { createDownloads } from './models/downloads';
import { createModelChecks } from './models/modelChecks';
import { createModelChoice } from './models/modelChoice';
import { createModelImport } from './models/modelImport';
import { createModelNeeds } from './models/modelNeeds';
import { useSettingsStore } from './settingsStore';

export { editRoles, findRoles } from './models/modelNeeds';

export type { ModelHealth } from './models/modelChecks';

/** The catalog, the installed models and the document's pick among them, downloads, disk usage and the devices. */
export const useModelsStore = defineStore('models', () => {
  const catalog = ref<ResponseOf<'models:catalog'>>({ models: [], bundles: [] });
  const installed = ref<ResponseOf<'models:installed'>['models']>([]);
  const disk = ref<ResponseOf<'models:diskUsage'> | null>(null);
  const devices = ref<ResponseOf<'devices:providers'> | null>(null);
  const isLoaded = ref(false);
  const error = ref<string | null>(null);

  async function guarded(action: () => Promise<void>): Promise<void> {
    try {
      await action();
      error.value = null;
    } catch (caught) {
      error.value = describeError(caught).text;
    }
  }

  async function refreshInstalled(): Promise<void> {
    await guarded(async () => {
      installed.value = (await api().models.installed({})).models;
      disk.value = await api().models.diskUsage({});
      catalog.value = await api().models.catalog({});
    });
  }

  const choice = createModelChoice(installed, (picked: ModelChoice) =>
    useSettingsStore().update({ modelChoice: picked }),
  );
  const needs = createModelNeeds(catalog, installed, isLoaded, () => choice.effectiveModels.value.controlnet ?? null);
  const downloads = createDownloads(guarded, refreshInstalled);
  const checks = createModelChecks(guarded, installed);

  async function load(): Promise<void> {
    downloads.listen();
    // The installed models first: the devices' self-test can take seconds, and Generate and Find wait on these.
    const devicesLoaded = guarded(async () => {
      devices.value = await api().devices.providers({});
    });
    await guarded(async () => {
      const [nextCatalog, nextInstalled] = await Promise.all([api().models.catalog({}), api().models.installed({})]);
      catalog.value = nextCatalog;
      installed.value = nextInstalled.models;
      isLoaded.value = true;
    });
    await devicesLoaded;
    await guarded(async () => {
      disk.value = await api().models.diskUsage({});
    });
  }

  return {
    catalog,
    installed,
    disk,
    devices,
    isLoaded,
    error,
    ...needs,
    ...choice,
    ...downloads,
    ...createModelImport(refreshInstalled),
    load,
    refreshInstalled,
    ...checks,
    remove: (id: string) =>
      guarded(async () => {
        await api().models.remove({ id: modelIdSchema.parse(id) });
        await refreshInstalled();
      }),
    preflight: () =>
      guarded(async () => {
        devices.value = await api().devices.preflight({});
      }),
  };
});
