import { ref, watch } from 'vue';
import type { ProjectOpened } from '../../../shared/api';
import { api } from '../api/client';
import { describeError } from '../editing/errorMessages';
import { fromManifest, missingModels, toManifest } from '../editing/projectMapping';
import { useDocumentStore } from '../stores/documentStore';
import { useEditStore } from '../stores/editStore';
import { useHistoryStore } from '../stores/historyStore';
import { useModelsStore } from '../stores/modelsStore';
import { downloadBlob } from './imagePixels';
import { useDocumentSession } from './useDocumentSession';
import { useMaskLayer } from './useMaskLayer';

/** How often unsaved work is autosaved (ms). */
export const autosaveIntervalMs = 30_000;

/** What the user is told when an opened project needs models that are not installed. */
function missingMessage(missing: readonly string[], downloadable: number): string | null {
  if (missing.length === 0) return null;
  const one = missing.length === 1;
  const what = `This project uses ${missing.join(', ')}, which ${one ? 'is' : 'are'} not installed`;
  if (downloadable === missing.length) return `${what}: download ${one ? 'it' : 'them'} to regenerate its results.`;
  return `${what}: import ${one ? 'it' : 'them'} from the Models sheet to regenerate its results.`;
}

function createProjectFile() {
  const documentStore = useDocumentStore();
  const editStore = useEditStore();
  const historyStore = useHistoryStore();
  const modelsStore = useModelsStore();
  const layer = useMaskLayer();
  const session = useDocumentSession();
  /** A line for the user: where the work went, which models a project needs, a failure. */
  const message = ref<string | null>(null);
  /** The catalog models an opened project needs that are not installed: offered for download beside `message`. */
  const missingDownloads = ref<string[]>([]);
  /** An autosave left by a session that did not end cleanly, waiting for Recover or Discard. */
  const recoverable = ref<ProjectOpened | null>(null);
  let autosavedVersion = -1;
  let timer: ReturnType<typeof setInterval> | null = null;
  let stopWatch: (() => void) | null = null;

  function request(destination: 'autosave' | 'download') {
    const original = documentStore.original;
    const base = documentStore.base;
    const masks = layer.masks.value;
    if (!original || !base || !masks) return null;
    const { manifest, images } = toManifest({
      original,
      baseId: base.id,
      results: editStore.results,
      history: historyStore.history,
      models: modelsStore.effectiveModels,
    });
    return { destination, originalId: original.id, images, masks, manifest };
  }

  async function autosave(): Promise<void> {
    if (!historyStore.isDirty || historyStore.version === autosavedVersion) return;
    const body = request('autosave');
    if (!body) return;
    const version = historyStore.version;
    try {
      await api().projects.save(body);
      autosavedVersion = version;
    } catch (caught) {
      message.value = `Autosave failed: ${describeError(caught).text}`;
    }
  }

  /** Puts a saved document on screen: photo, base, masks, results strip and history. */
  function show(opened: ProjectOpened): void {
    const state = fromManifest(opened.manifest, opened.original, opened.images);
    documentStore.adopt(opened.original);
    session.begin(opened.original);
    layer.load(opened.masks.roi, opened.masks.protect);
    editStore.loadResults(state.results.map((r) => ({ ...r, seed: r.recipe.seed, prompt: r.recipe.prompt })));
    historyStore.load(state.history);
    void session.showBase(state.baseId);
    if (state.models) modelsStore.adoptChoice(state.models);
    const missing = missingModels(opened.manifest, new Set(modelsStore.installed.map((model) => model.id)));
    missingDownloads.value = missing.filter((id) => modelsStore.catalog.models.some((model) => model.id === id));
    message.value = missingMessage(missing, missingDownloads.value.length);
  }

  return {
    message,
    missingDownloads,
    /** Downloads the models the opened project needs (the licences first, as every download). */
    async downloadMissing(): Promise<void> {
      const ids = missingDownloads.value;
      missingDownloads.value = [];
      message.value = null;
      await modelsStore.pull(ids);
    },
    recoverable,
    /** Saves the document as a `.iirproj` download (the desktop app asks where); true when it was saved. */
    async save(): Promise<boolean> {
      const body = request('download');
      if (!body) return false;
      try {
        const { bytes } = await api().projects.save(body);
        if (!bytes) return false;
        downloadBlob(
          new Blob([bytes as Uint8Array<ArrayBuffer>]),
          `${documentStore.name.replace(/\.[^.]+$/, '')}.iirproj`,
        );
        historyStore.markSaved();
        message.value = null;
        return true;
      } catch (caught) {
        message.value = `The project was not saved: ${describeError(caught).text}`;
        return false;
      }
    },
    /** Opens a `.iirproj` (asking first when that would discard unsaved work). */
    async open(file: File): Promise<void> {
      if (!(await session.mayDiscard())) return;
      try {
        show(await api().projects.open({ bytes: new Uint8Array(await file.arrayBuffer()) }));
      } catch (caught) {
        message.value = `${file.name} could not be opened: ${describeError(caught).text}`;
      }
    },
    /** Autosaves every 30 s and after every Keep; offers what a crashed session left. */
    async start(): Promise<void> {
      timer ??= setInterval(() => void autosave(), autosaveIntervalMs);
      stopWatch ??= watch(
        () => historyStore.keptCount,
        () => void autosave(),
      );
      try {
        recoverable.value = (await api().projects.recover({})).project;
      } catch (caught) {
        message.value = `The autosaved work could not be read: ${describeError(caught).text}`;
      }
    },
    stop(): void {
      if (timer) clearInterval(timer);
      stopWatch?.();
      timer = null;
      stopWatch = null;
    },
    autosave,
    /** Brings back the autosaved work, or forgets it. */
    async settleRecovery(choice: 'recover' | 'discard'): Promise<void> {
      const project = recoverable.value;
      recoverable.value = null;
      if (project && choice === 'recover') show(project);
      await api().projects.discardAutosave({});
      if (project && choice === 'recover') await autosave();
    },
  };
}

let shared: ReturnType<typeof createProjectFile> | undefined;

/** `.iirproj` projects: Save, Open, autosave to the user-data folder and recovery after a crash (one per app). */
export function useProjectFile(): ReturnType<typeof createProjectFile> {
  shared ??= createProjectFile();
  return shared;
}
