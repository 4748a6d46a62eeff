import { computed, ref } from 'vue';
import type { ImageId, JobResult } from '../../../../shared/api';
import type { Recipe } from '../../editing/documentHistory';
import { useDocumentStore } from '../documentStore';
import { useHistoryStore } from '../historyStore';
import { releaseImages } from '../imageRelease';

/** One generated variation, kept in the results strip until the user deletes it. */
export interface ResultVariation {
  readonly id: ImageId;
  readonly seed: number;
  readonly prompt: string;
  /** Which generation of this document it came from (1 = the first). */
  readonly generation: number;
  readonly recipe: Recipe;
}

/** What was asked for, remembered from the click until the results arrive. */
export interface PendingRecipe {
  readonly startedAt: number;
  readonly models: readonly string[];
  readonly params: Readonly<Record<string, unknown>>;
}

/** What a recipe falls back to when the request was not seen (results of a job started elsewhere). */
export interface RecipeFallback {
  readonly prompt: string;
  readonly noise: number;
  readonly seed: number;
}

/** The recipe of one variation of a finished edit. */
function recipeOf(asked: PendingRecipe, fallback: RecipeFallback, seed: number, provider: string): Recipe {
  return {
    prompt: typeof asked.params.prompt === 'string' ? asked.params.prompt : fallback.prompt,
    noise: typeof asked.params.noise === 'number' ? asked.params.noise : fallback.noise,
    gray: asked.params.gray !== false,
    seed,
    models: asked.models,
    provider,
    startedAt: asked.startedAt,
    durationMs: Date.now() - asked.startedAt,
    params: { ...asked.params, seed, variations: 1 },
  };
}

/** The results strip: every variation of every generation of this document, the selected one and the compared one. */
export function createResultsStrip() {
  const results = ref<ResultVariation[]>([]);
  const selected = ref<number | null>(null);
  /** The left ("before") side of a comparison; null: the current base. */
  const compareAId = ref<ImageId | null>(null);
  const generations = ref(0);
  const selectedResult = computed(() => (selected.value === null ? null : (results.value[selected.value] ?? null)));

  /** A new document: no results, no comparison. */
  function clearResults(): void {
    results.value = [];
    selected.value = null;
    compareAId.value = null;
    generations.value = 0;
  }

  return {
    results,
    selected,
    compareAId,
    generations,
    selectedResult,
    /** Appends a finished edit's variations, each with its recipe, and selects the first; returns them. */
    appendResults(
      result: Extract<JobResult, { kind: 'edit' }>,
      asked: PendingRecipe,
      fallback: RecipeFallback,
    ): ResultVariation[] {
      generations.value++;
      const added = result.resultIds.map((id, i): ResultVariation => {
        const recipe = recipeOf(asked, fallback, result.seeds[i] ?? fallback.seed, result.provider);
        return { id, seed: recipe.seed, prompt: recipe.prompt, generation: generations.value, recipe };
      });
      if (added.length > 0) selected.value = results.value.length;
      results.value = [...results.value, ...added];
      return added;
    },
    /** Takes a variation out of the strip (the only way one is lost). */
    remove(index: number): void {
      const removed = results.value[index];
      if (!removed) return;
      results.value = results.value.filter((_, i) => i !== index);
      if (compareAId.value === removed.id) compareAId.value = null;
      // Main forgets its pixels unless the document still shows or can go back to it.
      releaseImages([removed.id], new Set([...useDocumentStore().heldIds(), ...useHistoryStore().baseIds()]));
      if (selected.value === null) return;
      if (selected.value === index) selected.value = null;
      else if (selected.value > index) selected.value--;
    },
    /** The results strip of a saved document. */
    loadResults(saved: ResultVariation[]): void {
      clearResults();
      results.value = saved;
      generations.value = Math.max(0, ...saved.map((result) => result.generation));
    },
    clearResults,
  };
}
