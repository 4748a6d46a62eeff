import { type NumberParamKey, editParams, sliderRange } from '../../../shared/api';

/**
 * A slider's props for a declared edit parameter (shared/api/editParams.ts): its range and step, and a
 * `data-param` attribute naming the parameter.
 */
export function paramSlider(key: NumberParamKey): { min: number; max: number; step: number; 'data-param': string } {
  return { ...sliderRange(editParams[key]), 'data-param': key };
}

/** The working sizes the editor offers: every allowed size in the slider's range. */
export function workingSizes(): number[] {
  const { min, max, step } = sliderRange(editParams.size);
  return Array.from({ length: Math.floor((max - min) / step) + 1 }, (_, i) => min + i * step);
}
