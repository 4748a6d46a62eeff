import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import type { ImageId } from '../../../shared/api';
import {
  type DocumentHistory,
  type HistoryStep,
  emptyHistory,
  historyRows,
  record,
  redoTarget,
  undoTarget,
} from '../editing/documentHistory';
import { createSaveTracking } from '../editing/saveTracking';

/**
 * The open document's one history: opening, mask changes, generations and keeps, how far it applies, which step is
 * being looked at, and whether anything changed since the work was last saved. The steps' effects (mask bytes, the
 * base image) are carried out by `useDocumentSession`.
 */
export const useHistoryStore = defineStore('history', () => {
  const history = ref<DocumentHistory>(emptyHistory);
  /** The step shown on the canvas instead of the current state, or null. */
  const viewingIndex = ref<number | null>(null);
  const query = ref('');
  /** Unsaved work: a mask change, a result, a kept edit since the last save (or open). */
  const saving = createSaveTracking(() => history.value.entries.some((e) => e.step.kind !== 'open'));
  let nextId = 1;

  const entries = computed(() => history.value.entries);
  const cursor = computed(() => history.value.cursor);
  const canUndo = computed(() => undoTarget(history.value) !== null);
  const canRedo = computed(() => redoTarget(history.value) !== null);
  const rows = computed(() => historyRows(history.value.entries, query.value));
  const keptCount = computed(
    () => history.value.entries.slice(0, history.value.cursor + 1).filter((e) => e.step.kind === 'keep').length,
  );
  const viewing = computed(() =>
    viewingIndex.value === null ? null : (history.value.entries[viewingIndex.value] ?? null),
  );

  /** A new document: its history starts with opening it. */
  function start(baseId: ImageId, name: string): void {
    history.value = emptyHistory;
    viewingIndex.value = null;
    query.value = '';
    push({ kind: 'open', name }, baseId);
    saving.markSaved();
  }

  /** Records a step after the cursor (undone steps are dropped). */
  function push(step: HistoryStep, baseId: ImageId): void {
    history.value = record(history.value, { id: nextId++, time: Date.now(), baseId, step });
    saving.changed();
  }

  /** Moves the cursor (the caller has carried out the steps in between). */
  function moveTo(index: number): void {
    history.value = { ...history.value, cursor: index };
    saving.changed();
  }

  /** A saved document's history, as it was saved (nothing unsaved yet). */
  function load(next: DocumentHistory): void {
    history.value = next;
    nextId = Math.max(nextId, ...next.entries.map((entry) => entry.id + 1));
    viewingIndex.value = null;
    saving.changed();
    saving.markSaved();
  }

  /** Every base image the history can go back to (undone steps included, until a new step drops them). */
  function baseIds(): ImageId[] {
    return history.value.entries.map((entry) => entry.baseId);
  }

  return {
    history,
    entries,
    cursor,
    viewingIndex,
    viewing,
    query,
    version: saving.version,
    canUndo,
    canRedo,
    rows,
    keptCount,
    isDirty: saving.isDirty,
    start,
    push,
    moveTo,
    load,
    markSaved: saving.markSaved,
    baseIds,
  };
});
