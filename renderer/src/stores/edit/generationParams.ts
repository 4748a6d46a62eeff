import { computed, ref } from 'vue';
import { type EditParamValues, editParams } from '../../../../shared/api';
import { useSettingsStore } from '../settingsStore';
import { type IirPreset, type IirSettings, defaultIirSettings, iirPresets, presetOf } from '../../iir/livePreview';

/** The generation's parameters as the panels edit them (the IIR ones beside them), and `edit:start`'s params. */
export function createGenerationParams() {
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
  const preset = computed(() => presetOf(iir.value));

  /** `edit:start`'s params for `text` with the models `models` (their ids); a sweep varies one or two of them. */
  function currentParams(text: string, models: { sd?: string; controlnet?: string }) {
    return {
      prompt: text,
      negativePrompt: negativePrompt.value,
      ...models,
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
      // the device chosen under Devices, which the memory plan and the warm-up were made for
      provider: useSettingsStore().settings.provider,
    };
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
    preset,
    applyPreset(name: IirPreset): void {
      iir.value = { ...iir.value, ...iirPresets[name] };
    },
    currentParams,
  };
}
