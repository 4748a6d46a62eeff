import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import { type EditParamValues, type ImageId, type JobResult, editParams, editParamsSchema } from '../../../shared/api';
import { api } from '../api/client';
import type { Recipe } from '../editing/documentHistory';
import { type IirPreset, type IirSettings, defaultIirSettings, iirPresets, presetOf } from '../iir/livePreview';
import { useDocumentStore } from './documentStore';
import { useHistoryStore } from './historyStore';
import { releaseImages } from './imageRelease';
import { useJobsStore } from './jobsStore';

/** How results are compared with the base. */
export const compareModes = ['split', 'sideBySide', 'toggle', 'difference'] as const;
/** One of {@link compareModes}. */
export type CompareMode = (typeof compareModes)[number];

/** Mask bytes as `edit:start` carries them. */
export interface RoiPixels {
  readonly width: number;
  readonly height: number;
  readonly data: Uint8Array<ArrayBuffer>;
}

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
interface PendingRecipe {
  readonly startedAt: number;
  readonly models: readonly string[];
  readonly params: Readonly<Record<string, unknown>>;
}

/** The generation's parameters (the IIR ones live beside them), what it produced and how it is compared. */
export const useEditStore = defineStore('edit', () => {
  const jobs = useJobsStore();
  const prompt = ref('');
  const negativePrompt = ref('');
  const steps = ref<number>(editParams.steps.default);
  const guidance = ref<number>(editParams.guidance.default);
  const controlScale = ref<number>(editParams.controlScale.default);
  const controlStart = ref<number>(editParams.controlStart.default);
  const controlEnd = ref<number>(editParams.controlEnd.default);
  /** null: the engine's default (1 trained, 0.75 training-free). */
  const strength = ref<number | null>(null);
  const scheduler = ref<EditParamValues['scheduler']>(editParams.scheduler.default);
  const seed = ref(1234);
  const isSeedLocked = ref(true);
  const variations = ref<number>(editParams.variations.default);
  const workingSize = ref<number>(editParams.size.default);
  const focus = ref<boolean>(editParams.focus.default);
  /** How far the result blends past the RoI (imagePx): grown, then feathered, as the engine composites. */
  const blendGrowPx = ref<number>(editParams.dilatePx.default);
  const blendFeatherPx = ref<number>(editParams.featherPx.default);
  const iir = ref<IirSettings>({ ...defaultIirSettings });
  const results = ref<ResultVariation[]>([]);
  const selected = ref<number | null>(null);
  /** The left ("before") side of a comparison; null: the current base. */
  const compareAId = ref<ImageId | null>(null);
  const generations = ref(0);
  let pending: PendingRecipe | null = null;
  const compareMode = ref<CompareMode>('split');
  const splitFraction = ref(0.5);
  const isShowingOriginal = ref(false);
  const providerUsed = ref<string | null>(null);
  const error = ref<string | null>(null);

  const flow = computed(() => jobs.flows.edit);
  const preset = computed(() => presetOf(iir.value));
  const selectedResult = computed(() => (selected.value === null ? null : (results.value[selected.value] ?? null)));

  function applyPreset(name: IirPreset): void {
    iir.value = { ...iir.value, ...iirPresets[name] };
  }

  /**
   * Starts an edit of `imageId` within `roi`; a new random seed first unless the seed is locked. `models`: the ids of
   * the installed models it will use, for the recipe.
   */
  async function generate(imageId: ImageId, roi: RoiPixels, models: readonly string[] = []): Promise<void> {
    const text = prompt.value.trim();
    if (!text) {
      error.value = 'Say what the region should become: type a prompt first.';
      return;
    }
    if (!roi.data.some((v) => v > 0)) {
      error.value = 'The region is empty: find it by text, click on it, or paint it first.';
      return;
    }
    error.value = null;
    if (!isSeedLocked.value) seed.value = Math.floor(Math.random() * 0xffff_ffff);
    await run(imageId, roi, models, currentParams(text));
  }

  /** Starts an edit with exactly `params` (a saved recipe's), remembering them for the new results' recipes. */
  async function run(
    imageId: ImageId,
    roi: RoiPixels,
    models: readonly string[],
    params: Readonly<Record<string, unknown>>,
  ): Promise<void> {
    const parsed = editParamsSchema.safeParse(params);
    if (!parsed.success) {
      error.value = `This recipe cannot be run: ${parsed.error.issues[0]?.message ?? 'its parameters are not accepted'}.`;
      return;
    }
    error.value = null;
    pending = { startedAt: Date.now(), models, params };
    const mask = { width: roi.width, height: roi.height, data: roi.data };
    await jobs.run('edit', () => api().edit.start({ imageId, roi: { mask }, params: parsed.data }));
  }

  /** The parameters the panels show now, for `text` (a sweep varies one or two of them). */
  function currentParams(text: string) {
    return {
      prompt: text,
      negativePrompt: negativePrompt.value,
      noise: iir.value.noise,
      gray: iir.value.gray,
      noiseScope: iir.value.scope,
      cannyLow: iir.value.cannyLow,
      cannyHigh: iir.value.cannyHigh,
      keepLightness: iir.value.keepLightness,
      ...(strength.value === null ? {} : { strength: strength.value }),
      steps: steps.value,
      guidance: guidance.value,
      controlScale: controlScale.value,
      controlStart: Math.min(controlStart.value, controlEnd.value),
      controlEnd: controlEnd.value,
      scheduler: scheduler.value,
      seed: seed.value,
      variations: variations.value,
      size: workingSize.value,
      focus: focus.value,
      dilatePx: blendGrowPx.value,
      featherPx: blendFeatherPx.value,
    };
  }

  /** Re-runs with a new seed. */
  async function retry(imageId: ImageId, roi: RoiPixels, models: readonly string[] = []): Promise<void> {
    seed.value = (seed.value + 0x9e37_79b9) >>> 0;
    const wasLocked = isSeedLocked.value;
    isSeedLocked.value = true;
    try {
      await generate(imageId, roi, models);
    } finally {
      isSeedLocked.value = wasLocked;
    }
  }

  /** Appends a finished edit's variations to the strip, each with its recipe, and selects the first; returns them. */
  function absorb(result: Extract<JobResult, { kind: 'edit' }>): ResultVariation[] {
    const asked = pending ?? { startedAt: Date.now(), models: [], params: { prompt: prompt.value } };
    pending = null;
    generations.value++;
    const durationMs = Date.now() - asked.startedAt;
    const added = result.resultIds.map((id, i): ResultVariation => {
      const variationSeed = result.seeds[i] ?? seed.value;
      const text = typeof asked.params.prompt === 'string' ? asked.params.prompt : prompt.value;
      const recipe: Recipe = {
        prompt: text,
        noise: typeof asked.params.noise === 'number' ? asked.params.noise : iir.value.noise,
        gray: asked.params.gray !== false,
        seed: variationSeed,
        models: asked.models,
        provider: result.provider,
        startedAt: asked.startedAt,
        durationMs,
        params: { ...asked.params, seed: variationSeed, variations: 1 },
      };
      return { id, seed: variationSeed, prompt: text, generation: generations.value, recipe };
    });
    if (added.length > 0) selected.value = results.value.length;
    results.value = [...results.value, ...added];
    providerUsed.value = result.provider;
    return added;
  }

  /** Takes a variation out of the strip (the only way one is lost). */
  function remove(index: number): void {
    const removed = results.value[index];
    if (!removed) return;
    results.value = results.value.filter((_, i) => i !== index);
    if (compareAId.value === removed.id) compareAId.value = null;
    // Main forgets its pixels unless the document still shows or can go back to it.
    releaseImages([removed.id], new Set([...useDocumentStore().heldIds(), ...useHistoryStore().baseIds()]));
    if (selected.value === null) return;
    if (selected.value === index) selected.value = null;
    else if (selected.value > index) selected.value--;
  }

  /** The results strip of a saved document. */
  function loadResults(saved: ResultVariation[]): void {
    clearResults();
    results.value = saved;
    generations.value = Math.max(0, ...saved.map((result) => result.generation));
  }

  /** A new document: no results, no comparison, no error. */
  function clearResults(): void {
    results.value = [];
    selected.value = null;
    compareAId.value = null;
    generations.value = 0;
    error.value = null;
    pending = null;
  }

  return {
    prompt,
    negativePrompt,
    steps,
    guidance,
    controlScale,
    controlStart,
    controlEnd,
    strength,
    scheduler,
    seed,
    isSeedLocked,
    variations,
    workingSize,
    focus,
    blendGrowPx,
    blendFeatherPx,
    iir,
    results,
    selected,
    compareAId,
    generations,
    compareMode,
    splitFraction,
    isShowingOriginal,
    providerUsed,
    error,
    flow,
    preset,
    selectedResult,
    applyPreset,
    generate,
    retry,
    run,
    currentParams,
    absorb,
    remove,
    loadResults,
    clearResults,
  };
});
