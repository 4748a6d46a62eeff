import { getActivePinia, type Pinia } from 'pinia';
import type { ImageInfo } from '../../../shared/api';
import { isJobActive } from '../jobs/jobReducer';
import { createBaseImages } from '../session/baseImages';
import { createEditActions } from '../session/editActions';
import { createHistoryWalk } from '../session/historyWalk';
import { createUnsavedWork } from '../session/unsavedWork';
import { useDocumentStore } from '../stores/documentStore';
import { useEditStore } from '../stores/editStore';
import { useHistoryStore } from '../stores/historyStore';
import { useJobsStore } from '../stores/jobsStore';
import { useMaskStore } from '../stores/maskStore';
import { useModelsStore } from '../stores/modelsStore';
import { useRoiStore } from '../stores/roiStore';
import { useSettingsStore } from '../stores/settingsStore';
import { watchJobResults } from './useJobResults';
import { useMaskLayer } from './useMaskLayer';

/** What `images:open` takes: a path on this computer, or bytes (a dropped, pasted or picked file). */
export type OpenRequest = { path: string } | { bytes: Uint8Array<ArrayBuffer>; name?: string };

/**
 * The session composes its parts (renderer/src/session): the base images, the history walk, unsaved work and the
 * edit actions; what is left here is a document's start and end, opening, and Escape.
 */
function createSession() {
  const documentStore = useDocumentStore();
  const editStore = useEditStore();
  const historyStore = useHistoryStore();
  const jobs = useJobsStore();
  const maskStore = useMaskStore();
  const roiStore = useRoiStore();
  const layer = useMaskLayer();
  const bases = createBaseImages();
  const unsaved = createUnsavedWork();

  /** A new document: empty masks, no results, a fresh history; errors of the previous photo go. */
  function begin(info: ImageInfo): void {
    for (const kind of ['edit', 'segment'] as const) {
      if (isJobActive(jobs.flows[kind])) void jobs.cancel(kind);
      else jobs.reset(kind);
    }
    bases.reset(info);
    layer.reset(info.width, info.height);
    roiStore.reset();
    editStore.clearResults();
    maskStore.error = null;
    historyStore.start(info.id, info.name ?? 'photo');
    useModelsStore().adoptChoice(useSettingsStore().settings.modelChoice);
    void bases.show(info.id);
  }

  let stops: (() => void)[] = [];

  return {
    ...createHistoryWalk(bases.show),
    ...createEditActions(bases),
    mayDiscard: unsaved.mayDiscard,
    setSaveWork: unsaved.setSaveWork,
    begin,
    showBase: bases.show,
    /** Records mask changes in the history, takes in finished jobs, and asks before a reload drops unsaved work. */
    start(): void {
      if (stops.length > 0) return;
      stops = [
        layer.onCommit((_, label) => {
          const base = documentStore.base;
          if (base) historyStore.push({ kind: 'mask', label }, base.id);
        }),
        watchJobResults(),
        unsaved.guardUnload(),
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
      if (!isConfirmed && !(await unsaved.mayDiscard())) return false;
      const info = await documentStore.open(request);
      if (info) begin(info);
      return info !== null;
    },
    /** A photo main opened (the File menu, the command line): adopted unless the user keeps the current work. */
    async adopt(info: ImageInfo): Promise<void> {
      if (!(await unsaved.mayDiscard())) return;
      documentStore.adopt(info);
      begin(info);
    },
    /** Cancels the running edit, else the running search, else leaves the history view, else the selected result. */
    cancel(): void {
      if (isJobActive(editStore.flow)) void jobs.cancel('edit');
      else if (isJobActive(roiStore.flow)) void jobs.cancel('segment');
      else if (historyStore.viewingIndex !== null) historyStore.viewingIndex = null;
      else if (editStore.selected !== null) editStore.selected = null;
    },
  };
}

/** The document session of each Pinia instance: the app has one; a test's fresh Pinia starts a fresh session. */
const sessions = new WeakMap<Pinia, ReturnType<typeof createSession>>();

/**
 * The open document's workflow (one per app): opening photos without losing work, generate, keep, and one history
 * of mask changes and kept edits that Undo, Redo, Restore and Revert walk.
 */
export function useDocumentSession(): ReturnType<typeof createSession> {
  const pinia = getActivePinia();
  if (!pinia) throw new Error('the document session needs Pinia: install it before using the session');
  let session = sessions.get(pinia);
  if (!session) {
    session = createSession();
    sessions.set(pinia, session);
  }
  return session;
}
