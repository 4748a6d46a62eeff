import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import { type EditParamValues, type ImageId, type JobResult, editParams } from '../../../shared/api';
import { api } from '../api/client';
import { type IirPreset, type IirSettings, defaultIirSettings, iirPresets, presetOf } from '../iir/livePreview';
import { useDocumentStore } from './documentStore';
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

/** One generated variation. */
export interface ResultVariation {
  readonly id: ImageId;
  readonly seed: number;
  readonly prompt: string;
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

  /** Starts an edit of `imageId` within `roi`; a new random seed first unless the seed is locked. */
  async function generate(imageId: ImageId, roi: RoiPixels): Promise<void> {
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
    await jobs.run('edit', () =>
      api().edit.start({
        imageId,
        roi: { mask: { width: roi.width, height: roi.height, data: roi.data } },
        params: {
          prompt: text,
          negativePrompt: negativePrompt.value,
          noise: iir.value.noise,
          gray: iir.value.gray,
          noiseScope: iir.value.scope,
          cannyLow: iir.value.cannyLow,
          cannyHigh: iir.value.cannyHigh,
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
        },
      }),
    );
  }

  /** Re-runs with a new seed. */
  async function retry(imageId: ImageId, roi: RoiPixels): Promise<void> {
    seed.value = (seed.value + 0x9e37_79b9) >>> 0;
    const wasLocked = isSeedLocked.value;
    isSeedLocked.value = true;
    try {
      await generate(imageId, roi);
    } finally {
      isSeedLocked.value = wasLocked;
    }
  }

  /** Main forgets the results shown so far, except those the document kept (and `keep`). */
  function releaseResults(keep: readonly ImageId[] = []): void {
    releaseImages(
      results.value.map((r) => r.id),
      new Set([...useDocumentStore().heldIds(), ...keep]),
    );
  }

  /** Takes in a finished edit's results (the previous ones are released). */
  function absorb(result: Extract<JobResult, { kind: 'edit' }>): void {
    releaseResults(result.resultIds);
    results.value = result.resultIds.map((id, i) => ({
      id,
      seed: result.seeds[i] ?? seed.value,
      prompt: prompt.value,
    }));
    selected.value = results.value.length > 0 ? 0 : null;
    providerUsed.value = result.provider;
  }

  function clearResults(): void {
    releaseResults();
    results.value = [];
    selected.value = null;
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
    absorb,
    clearResults,
  };
});
