import { type ComputedRef, computed } from 'vue';
import type { ImageId } from '../../../shared/api';
import { imageOf } from '../editing/documentHistory';
import { useDocumentStore } from '../stores/documentStore';
import { useEditStore } from '../stores/editStore';
import { useHistoryStore } from '../stores/historyStore';

/** The two images the compare views show: A (left, "before") and B (right, "after"); null when not comparing. */
export interface ComparePair {
  readonly a: ImageId;
  readonly b: ImageId;
}

/**
 * A: the image chosen with "Compare as A" (a result or a history step), else the current base. B: the history step
 * being looked at, else the selected result.
 */
export function useComparePair(): ComputedRef<ComparePair | null> {
  const documentStore = useDocumentStore();
  const editStore = useEditStore();
  const historyStore = useHistoryStore();
  return computed(() => {
    const viewing = historyStore.viewing;
    const b = viewing ? imageOf(viewing) : (editStore.selectedResult?.id ?? null);
    const a = editStore.compareAId ?? documentStore.base?.id ?? null;
    return a !== null && b !== null ? { a, b } : null;
  });
}
