import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import type { EngineKind, LicenseInfo, ModelId, ModelProgress, ResponseOf } from '../../../shared/api';
import { modelIdSchema } from '../../../shared/api';
import { api } from '../api/client';
import { describeError } from '../editing/errorMessages';

/** Roles an edit needs (one ControlNet of either kind) and roles finding by text needs. */
export const editRoles = ['sd15'] as const;
export const findRoles = ['grounding', 'sam'] as const;

/** The catalog, the installed models, downloads, disk usage and the devices. */
export const useModelsStore = defineStore('models', () => {
  const catalog = ref<ResponseOf<'models:catalog'>>({ models: [], bundles: [] });
  const installed = ref<ResponseOf<'models:installed'>['models']>([]);
  const disk = ref<ResponseOf<'models:diskUsage'> | null>(null);
  const devices = ref<ResponseOf<'devices:providers'> | null>(null);
  const progress = ref<Record<string, ModelProgress>>({});
  const verify = ref<Record<string, { ok: boolean; problems: string[] }>>({});
  const isLoaded = ref(false);
  const error = ref<string | null>(null);
  /** Licences to show and accept before the download of `ids` starts. */
  const licencePrompt = ref<{ ids: ModelId[]; licenses: LicenseInfo[] } | null>(null);
  /** Why the last import failed, shown next to the Import button. */
  const importError = ref<string | null>(null);
  let unsubscribe: (() => void) | null = null;

  const installedRoles = computed(() => new Set(installed.value.map((model) => model.role)));
  /** Which engine an edit runs on, from the installed ControlNet ('none' before one is installed). */
  const engine = computed<EngineKind | 'none'>(() =>
    installedRoles.value.has('controlnet-iir')
      ? 'iir-trained'
      : installedRoles.value.has('controlnet-canny')
        ? 'iir-training-free'
        : 'none',
  );
  const controlChannels = computed<3 | 4>(() => (engine.value === 'iir-training-free' ? 3 : 4));
  /** Catalog entries still to download before an edit can run. */
  const missingForEdit = computed(() => missing([...editRoles, engine.value === 'none' ? offeredControlNet() : null]));
  /** Catalog entries still to download before finding by text can run. */
  const missingForFind = computed(() => missing([...findRoles]));
  const canEdit = computed(() => isLoaded.value && missingForEdit.value.length === 0);
  const canFind = computed(() => isLoaded.value && missingForFind.value.length === 0);

  /** The ControlNet to offer: the IIR-trained one when the catalog has it, else the stock Canny one. */
  function offeredControlNet(): string {
    return catalog.value.models.some((model) => model.role === 'controlnet-iir')
      ? 'controlnet-iir'
      : 'controlnet-canny';
  }

  function missing(roles: (string | null)[]): { role: string; title: string; bytes: number; id: string | null }[] {
    return roles
      .filter((role): role is string => role !== null && !installedRoles.value.has(role))
      .map((role) => {
        const entry = catalog.value.models.find((model) => model.role === role);
        return { role, title: entry?.title ?? role, bytes: entry?.bytes ?? 0, id: entry?.id ?? null };
      });
  }

  async function guarded(action: () => Promise<void>): Promise<void> {
    try {
      await action();
      error.value = null;
    } catch (caught) {
      error.value = describeError(caught).text;
    }
  }

  async function load(): Promise<void> {
    unsubscribe ??= api().on('models:progress', (event) => {
      progress.value = { ...progress.value, [event.modelId]: event };
      if (event.state === 'done') void refreshInstalled();
    });
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

  async function refreshInstalled(): Promise<void> {
    await guarded(async () => {
      installed.value = (await api().models.installed({})).models;
      disk.value = await api().models.diskUsage({});
      catalog.value = await api().models.catalog({});
    });
  }

  /**
   * Starts a download; when a licence it needs is not accepted yet, shows the licences (`licencePrompt`) instead,
   * and the download starts only once the user accepts them.
   */
  const pull = (ids: string[]) =>
    guarded(async () => {
      const parsed = ids.map((id) => modelIdSchema.parse(id));
      const pending = (await api().models.licenses({ ids: parsed })).licenses.filter((l) => !l.accepted);
      if (pending.length > 0) {
        licencePrompt.value = { ids: parsed, licenses: pending };
        return;
      }
      await api().models.pull({ ids: parsed });
    });
  /** The user accepted the licences shown: record them (with the hash of what was shown), then download. */
  const acceptLicencesAndPull = () =>
    guarded(async () => {
      const prompt = licencePrompt.value;
      if (!prompt) return;
      await api().models.acceptLicenses({ licenses: prompt.licenses.map((l) => ({ id: l.id, sha256: l.sha256 })) });
      licencePrompt.value = null;
      await api().models.pull({ ids: prompt.ids });
    });
  const declineLicences = (): void => {
    licencePrompt.value = null;
  };
  const pause = (id: string) => guarded(async () => void (await api().models.pause({ id: modelIdSchema.parse(id) })));
  const cancel = (id: string) => guarded(async () => void (await api().models.cancel({ id: modelIdSchema.parse(id) })));
  const remove = (id: string) =>
    guarded(async () => {
      await api().models.remove({ id: modelIdSchema.parse(id) });
      await refreshInstalled();
    });
  const verifyAll = () =>
    guarded(async () => {
      const { results } = await api().models.verify({});
      verify.value = Object.fromEntries(results.map((r) => [r.id, { ok: r.ok, problems: r.problems }]));
    });
  async function importFolder(path: string, id: string, mode: 'copy' | 'link'): Promise<void> {
    const parsed = modelIdSchema.safeParse(id.trim());
    if (!parsed.success) {
      importError.value = `“${id}” cannot be a model id: ${parsed.error.issues[0]?.message ?? 'not accepted'}.`;
      return;
    }
    try {
      await api().models.import({ path, id: parsed.data, mode });
      importError.value = null;
      await refreshInstalled();
    } catch (caught) {
      importError.value = describeError(caught).text;
    }
  }
  const preflight = () =>
    guarded(async () => {
      devices.value = await api().devices.preflight({});
    });

  return {
    catalog,
    installed,
    disk,
    devices,
    progress,
    verify,
    isLoaded,
    error,
    licencePrompt,
    importError,
    engine,
    controlChannels,
    missingForEdit,
    missingForFind,
    canEdit,
    canFind,
    load,
    refreshInstalled,
    pull,
    acceptLicencesAndPull,
    declineLicences,
    pause,
    cancel,
    remove,
    verifyAll,
    importFolder,
    preflight,
  };
});
