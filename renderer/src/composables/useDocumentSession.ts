import type { ImageId, ImageInfo } from '../../../shared/api';
import { api } from '../api/client';
import { type Recipe, redoTarget, stepsTo, undoTarget } from '../editing/documentHistory';
import { describeError } from '../editing/errorMessages';
import { isJobActive } from '../jobs/jobReducer';
import { useDocumentStore } from '../stores/documentStore';
import { useEditStore } from '../stores/editStore';
import { useHistoryStore } from '../stores/historyStore';
import { useJobsStore } from '../stores/jobsStore';
import { useMaskStore } from '../stores/maskStore';
import { useModelsStore } from '../stores/modelsStore';
import { useRoiStore } from '../stores/roiStore';
import { useSettingsStore } from '../stores/settingsStore';
import { useDiscardPrompt } from './useDiscardPrompt';
import { useDocumentPixels } from './useDocumentPixels';
import { watchJobResults } from './useJobResults';
import { useMaskLayer } from './useMaskLayer';

/** What `images:open` takes: a path on this computer, or bytes (a dropped, pasted or picked file). */
export type OpenRequest = { path: string } | { bytes: Uint8Array<ArrayBuffer>; name?: string };

function createSession() {
  const documentStore = useDocumentStore();
  const editStore = useEditStore();
  const historyStore = useHistoryStore();
  const jobs = useJobsStore();
  const maskStore = useMaskStore();
  const modelsStore = useModelsStore();
  const roiStore = useRoiStore();
  const layer = useMaskLayer();
  const pixels = useDocumentPixels();
  const prompt = useDiscardPrompt();
  /** Facts of every image that was a base of this document (undo and restore switch between them). */
  const infos = new Map<ImageId, ImageInfo>();
  /** Saves the work before it would be discarded (the project file); true when it was saved. */
  let saveWork: (() => Promise<boolean>) | null = null;

  async function showBase(id: ImageId): Promise<void> {
    try {
      const info = infos.get(id) ?? (await api().images.info({ id }));
      infos.set(id, info);
      documentStore.base = info;
      await pixels.setBase(id);
    } catch (caught) {
      documentStore.error = describeError(caught).text;
    }
  }

  /** True when there is no unsaved work, or the user chose to discard it. */
  async function mayDiscard(): Promise<boolean> {
    if (!historyStore.isDirty) return true;
    const kept = historyStore.keptCount;
    const results = editStore.results.length;
    const what = [
      kept ? `${kept} kept edit${kept === 1 ? '' : 's'}` : null,
      results ? `${results} result${results === 1 ? '' : 's'}` : null,
      'the region',
    ].filter((part) => part !== null);
    const answer = await prompt.ask(
      `${documentStore.name} has unsaved work (${what.join(', ')}). Opening another photo discards it.`,
      saveWork !== null,
    );
    if (answer === 'save' && saveWork) return saveWork();
    return answer === 'discard';
  }

  /** A new document: empty masks, no results, a fresh history; errors of the previous photo go. */
  function begin(info: ImageInfo): void {
    for (const kind of ['edit', 'segment'] as const) {
      if (isJobActive(jobs.flows[kind])) void jobs.cancel(kind);
      else jobs.reset(kind);
    }
    infos.clear();
    infos.set(info.id, info);
    layer.reset(info.width, info.height);
    roiStore.reset();
    editStore.clearResults();
    maskStore.error = null;
    historyStore.start(info.id, info.name ?? 'photo');
    modelsStore.adoptChoice(useSettingsStore().settings.modelChoice);
    void showBase(info.id);
  }

  /** Carries out the step at `index` backwards (undo) or forwards (redo). */
  function apply(index: number, direction: 'undo' | 'redo'): void {
    const step = historyStore.entries[index]?.step;
    if (step?.kind === 'mask') {
      if (direction === 'undo') layer.undo();
      else layer.redo();
    } else if (step?.kind === 'keep') {
      void showBase(direction === 'undo' ? step.previousBaseId : step.resultId);
    }
  }

  function undo(): void {
    const index = undoTarget(historyStore.history);
    if (index === null) return;
    apply(index, 'undo');
    historyStore.moveTo(index - 1);
  }

  function redo(): void {
    const index = redoTarget(historyStore.history);
    if (index === null) return;
    apply(index, 'redo');
    historyStore.moveTo(index);
  }

  function onBeforeUnload(event: BeforeUnloadEvent): void {
    if (!historyStore.isDirty) return;
    event.preventDefault();
    event.returnValue = '';
  }

  let stops: (() => void)[] = [];

  return {
    /** Records mask changes in the history, takes in finished jobs, and asks before a reload drops unsaved work. */
    start(): void {
      if (stops.length > 0) return;
      window.addEventListener('beforeunload', onBeforeUnload);
      stops = [
        layer.onCommit((_, label) => {
          const base = documentStore.base;
          if (base) historyStore.push({ kind: 'mask', label }, base.id);
        }),
        watchJobResults(),
        () => window.removeEventListener('beforeunload', onBeforeUnload),
      ];
    },
    stop(): void {
      for (const stop of stops) stop();
      stops = [];
    },
    /**
     * Opens a photo, asking first when that would discard unsaved work (`isConfirmed`: the user was already asked);
     * false when it did not open.
     */
    async open(request: OpenRequest, isConfirmed = false): Promise<boolean> {
      if (!isConfirmed && !(await mayDiscard())) return false;
      const info = await documentStore.open(request);
      if (info) begin(info);
      return info !== null;
    },
    /** A photo main opened (the File menu, the command line): adopted unless the user keeps the current work. */
    async adopt(info: ImageInfo): Promise<void> {
      if (!(await mayDiscard())) return;
      documentStore.adopt(info);
      begin(info);
    },
    mayDiscard,
    /** What "Save" in the unsaved-work question does. */
    setSaveWork(save: () => Promise<boolean>): void {
      saveWork = save;
    },
    begin,
    showBase,
    generate(): void {
      if (modelsStore.isLoaded && !modelsStore.canEdit) {
        editStore.error = 'Editing needs models that are not installed yet: download them from the Models sheet.';
        return;
      }
      const base = documentStore.base;
      const roi = layer.effectiveRoi();
      if (base && roi) void editStore.generate(base.id, roi, modelsStore.editModels());
    },
    retry(): void {
      const base = documentStore.base;
      const roi = layer.effectiveRoi();
      if (base && roi) void editStore.retry(base.id, roi, modelsStore.editModels());
    },
    /** Runs a saved recipe again, on the current base and region (same provider and region: same pixels). */
    regenerate(recipe: Recipe): void {
      const base = documentStore.base;
      const roi = layer.effectiveRoi();
      if (base && roi) void editStore.run(base.id, roi, recipe.params);
    },
    /** The selected result becomes the base, as one undoable step. */
    async keep(): Promise<void> {
      const result = editStore.selectedResult;
      const base = documentStore.base;
      if (!result || !base) return;
      try {
        const info = infos.get(result.id) ?? (await api().images.info({ id: result.id }));
        infos.set(result.id, info);
        historyStore.push(
          { kind: 'keep', resultId: result.id, previousBaseId: base.id, recipe: result.recipe },
          result.id,
        );
        layer.clearRedo();
        editStore.selected = null;
        historyStore.viewingIndex = null;
        await showBase(result.id);
      } catch (caught) {
        documentStore.error = describeError(caught).text;
      }
    },
    undo,
    redo,
    /** Makes step `index` the current state: undoes the later steps (they stay redoable) or redoes up to it. */
    restore(index: number): void {
      const count = stepsTo(historyStore.history, index);
      for (let i = 0; i < -count; i++) undo();
      for (let i = 0; i < count; i++) redo();
      historyStore.moveTo(index);
      historyStore.viewingIndex = null;
    },
    /** Back to the state before the last kept edit, its region and history included. */
    revert(): void {
      const entries = historyStore.entries.slice(0, historyStore.cursor + 1);
      const kept = entries.findLastIndex((entry) => entry.step.kind === 'keep');
      if (kept > 0) this.restore(kept - 1);
    },
    /** Cancels the running edit, else the running search, else leaves the selected result. */
    cancel(): void {
      if (isJobActive(editStore.flow)) void jobs.cancel('edit');
      else if (isJobActive(roiStore.flow)) void jobs.cancel('segment');
      else if (historyStore.viewingIndex !== null) historyStore.viewingIndex = null;
      else if (editStore.selected !== null) editStore.selected = null;
    },
  };
}

let shared: ReturnType<typeof createSession> | undefined;

/**
 * The open document's workflow (one per app): opening photos without losing work, generate, keep, and one history
 * of mask changes and kept edits that Undo, Redo, Restore and Revert walk.
 */
export function useDocumentSession(): ReturnType<typeof createSession> {
  shared ??= createSession();
  return shared;
}

/** Forgets the shared session (tests). */
export function disposeDocumentSession(): void {
  shared = undefined;
}
