import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import { type ImageId, type JobResult, editParamsSchema } from '../../../shared/api';
import { api } from '../api/client';
import { createGenerationParams } from './edit/generationParams';
import { type PendingRecipe, type ResultVariation, createResultsStrip } from './edit/resultsStrip';
import { useJobsStore } from './jobsStore';

export type { ResultVariation } from './edit/resultsStrip';

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

/** The models an edit runs with: `edit:start`'s ids, and the recipe's list. */
export interface EditModels {
  readonly sd?: string;
  readonly controlnet?: string;
}

/** The generation's parameters (the IIR ones live beside them), what it produced and how it is compared. */
export const useEditStore = defineStore('edit', () => {
  const jobs = useJobsStore();
  const params = createGenerationParams();
  const strip = createResultsStrip();
  let pending: PendingRecipe | null = null;
  const compareMode = ref<CompareMode>('split');
  const splitFraction = ref(0.5);
  const isShowingOriginal = ref(false);
  const providerUsed = ref<string | null>(null);
  const error = ref<string | null>(null);
  const flow = computed(() => jobs.flows.edit);

  /** Starts an edit with exactly `request` (a saved recipe's), remembering it for the new results' recipes. */
  async function run(imageId: ImageId, roi: RoiPixels, request: Readonly<Record<string, unknown>>): Promise<void> {
    const parsed = editParamsSchema.safeParse(request);
    if (!parsed.success) {
      error.value = `This recipe cannot be run: ${parsed.error.issues[0]?.message ?? 'its parameters are not accepted'}.`;
      return;
    }
    error.value = null;
    const models = [parsed.data.sd, parsed.data.controlnet].flatMap((id) => (id === undefined ? [] : [String(id)]));
    pending = { startedAt: Date.now(), models, params: request };
    const mask = { width: roi.width, height: roi.height, data: roi.data };
    await jobs.run('edit', () => api().edit.start({ imageId, roi: { mask }, params: parsed.data }));
  }

  /** Starts an edit of `imageId` within `roi` with `models`; a new random seed first unless the seed is locked. */
  async function generate(imageId: ImageId, roi: RoiPixels, models: EditModels = {}): Promise<void> {
    const text = params.prompt.value.trim();
    if (!text) {
      error.value = 'Say what the region should become: type a prompt first.';
      return;
    }
    if (!roi.data.some((v) => v > 0)) {
      error.value = 'The region is empty: find it by text, click on it, or paint it first.';
      return;
    }
    error.value = null;
    if (!params.isSeedLocked.value) params.seed.value = Math.floor(Math.random() * 0xffff_ffff);
    await run(imageId, roi, params.currentParams(text, models));
  }

  return {
    ...params,
    ...strip,
    compareMode,
    splitFraction,
    isShowingOriginal,
    providerUsed,
    error,
    flow,
    generate,
    run,
    /** Re-runs with a new seed. */
    async retry(imageId: ImageId, roi: RoiPixels, models: EditModels = {}): Promise<void> {
      params.seed.value = (params.seed.value + 0x9e37_79b9) >>> 0;
      const wasLocked = params.isSeedLocked.value;
      params.isSeedLocked.value = true;
      try {
        await generate(imageId, roi, models);
      } finally {
        params.isSeedLocked.value = wasLocked;
      }
    },
    /** Appends a finished edit's variations to the strip, each with its recipe, and selects the first; returns them. */
    absorb(result: Extract<JobResult, { kind: 'edit' }>): ResultVariation[] {
      const asked = pending ?? { startedAt: Date.now(), models: [], params: { prompt: params.prompt.value } };
      pending = null;
      providerUsed.value = result.provider;
      const fallback = { prompt: params.prompt.value, noise: params.iir.value.noise, seed: params.seed.value };
      return strip.appendResults(result, asked, fallback);
    },
    /** A new document: no results, no comparison, no error. */
    clearResults(): void {
      strip.clearResults();
      error.value = null;
      pending = null;
    },
  };
});
