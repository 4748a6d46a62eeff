import { useMaskLayer } from '../composables/useMaskLayer';
import type { Recipe } from '../editing/documentHistory';
import { describeError } from '../editing/errorMessages';
import { useDocumentStore } from '../stores/documentStore';
import { useEditStore } from '../stores/editStore';
import { useHistoryStore } from '../stores/historyStore';
import { useModelsStore } from '../stores/modelsStore';
import type { BaseImages } from './baseImages';

/** Generate, retry and regenerate on the current base and region, and keeping a result as one undoable step. */
export function createEditActions(bases: BaseImages) {
  const documentStore = useDocumentStore();
  const editStore = useEditStore();
  const historyStore = useHistoryStore();
  const modelsStore = useModelsStore();
  const layer = useMaskLayer();

  /** The base and the region to edit, or null when either is missing. */
  function target() {
    const base = documentStore.base;
    const roi = layer.effectiveRoi();
    return base && roi ? { baseId: base.id, roi } : null;
  }

  return {
    generate(): void {
      if (modelsStore.isLoaded && !modelsStore.canEdit) {
        editStore.error = 'Editing needs models that are not installed yet: download them from the Models sheet.';
        return;
      }
      const on = target();
      if (on) void editStore.generate(on.baseId, on.roi, modelsStore.editModels());
    },
    retry(): void {
      const on = target();
      if (on) void editStore.retry(on.baseId, on.roi, modelsStore.editModels());
    },
    /** Runs a saved recipe again, on the current base and region (same provider and region: same pixels). */
    regenerate(recipe: Recipe): void {
      const on = target();
      if (on) void editStore.run(on.baseId, on.roi, recipe.params);
    },
    /** The selected result becomes the base, as one undoable step. */
    async keep(): Promise<void> {
      const result = editStore.selectedResult;
      const base = documentStore.base;
      if (!result || !base) return;
      try {
        await bases.infoOf(result.id);
        historyStore.push(
          { kind: 'keep', resultId: result.id, previousBaseId: base.id, recipe: result.recipe },
          result.id,
        );
        layer.clearRedo();
        editStore.selected = null;
        historyStore.viewingIndex = null;
        await bases.show(result.id);
      } catch (caught) {
        documentStore.error = describeError(caught).text;
      }
    },
  };
}
