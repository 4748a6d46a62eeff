import { onScopeDispose, watch } from 'vue';
import { useDocumentStore } from '../stores/documentStore';
import { useEditPlanStore } from '../stores/editPlanStore';
import { useEditStore } from '../stores/editStore';
import { useModelsStore } from '../stores/modelsStore';
import { useSettingsStore } from '../stores/settingsStore';

/** How long the plan waits for the settings to stop changing (a slider being dragged). */
const settleMs = 250;

/**
 * Keeps the open document's memory plan current, and main warming the models its next edit loads: asked when a
 * document opens and whenever its base, models, working size, guidance, provider or low-memory setting change.
 */
export function useEditPlan(): void {
  const documentStore = useDocumentStore();
  const editStore = useEditStore();
  const modelsStore = useModelsStore();
  const settingsStore = useSettingsStore();
  const planStore = useEditPlanStore();
  let timer: ReturnType<typeof setTimeout> | undefined;

  /** What the plan depends on, or null when there is nothing to plan (no photo, models missing). */
  const request = () => {
    const base = documentStore.base;
    if (!base || !modelsStore.canEdit) return null;
    const { provider, lowMemory, providerPerRole } = settingsStore.settings;
    const choice = { imageId: base.id, ...modelsStore.editModels(), provider, warm: true };
    const plan = { ...choice, size: editStore.workingSize, guidance: editStore.guidance };
    return { plan, key: JSON.stringify([plan, lowMemory, providerPerRole]) };
  };

  const stop = watch(
    () => request()?.key ?? null,
    (key) => {
      clearTimeout(timer);
      if (key === null) return planStore.clear();
      timer = setTimeout(() => {
        const current = request();
        if (current) void planStore.refresh(current.plan);
      }, settleMs);
    },
    { immediate: true },
  );
  onScopeDispose(() => {
    stop();
    clearTimeout(timer);
  });
}
