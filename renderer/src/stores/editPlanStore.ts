import { defineStore } from 'pinia';
import { ref } from 'vue';
import type { EditPlan, RequestInput } from '../../../shared/api';
import { api } from '../api/client';
import { describeError } from '../editing/errorMessages';

/** The memory plan of the open document's next edit, as main made it (`edit:plan`), for the panels to show. */
export const useEditPlanStore = defineStore('editPlan', () => {
  const plan = ref<EditPlan | null>(null);
  const error = ref<string | null>(null);
  let asked = 0;

  /** Asks main for the plan of `request` (and, with `warm`, to load its models); a later answer wins. */
  async function refresh(request: RequestInput<'edit:plan'>): Promise<void> {
    const ticket = ++asked;
    try {
      const answer = await api().edit.plan(request);
      if (ticket !== asked) return;
      plan.value = answer;
      error.value = null;
    } catch (caught) {
      if (ticket !== asked) return;
      plan.value = null;
      error.value = describeError(caught).text;
    }
  }

  /** No document: nothing to plan. */
  function clear(): void {
    asked++;
    plan.value = null;
    error.value = null;
  }

  return { plan, error, refresh, clear };
});
