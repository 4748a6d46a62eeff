import type { ImageId } from '../../../shared/api';
import { useMaskLayer } from '../composables/useMaskLayer';
import { redoTarget, stepsTo, undoTarget } from '../editing/documentHistory';
import { useHistoryStore } from '../stores/historyStore';

/**
 * Walking the document's one history of mask changes and kept edits: a mask step is undone in the mask layer, a
 * kept edit by showing the base it replaced.
 */
export function createHistoryWalk(showBase: (id: ImageId) => Promise<void>) {
  const historyStore = useHistoryStore();
  const layer = useMaskLayer();

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

  /** Makes step `index` the current state: undoes the later steps (they stay redoable) or redoes up to it. */
  function restore(index: number): void {
    const count = stepsTo(historyStore.history, index);
    for (let i = 0; i < -count; i++) undo();
    for (let i = 0; i < count; i++) redo();
    historyStore.moveTo(index);
    historyStore.viewingIndex = null;
  }

  return {
    undo,
    redo,
    restore,
    /** Back to the state before the last kept edit, its region and history included. */
    revert(): void {
      const entries = historyStore.entries.slice(0, historyStore.cursor + 1);
      const kept = entries.findLastIndex((entry) => entry.step.kind === 'keep');
      if (kept > 0) restore(kept - 1);
    },
  };
}
