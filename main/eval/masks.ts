/**
 * The two regions `iir eval` measures outside: the benchmark's own mask (PIE mask), and the region our composite
 * may change — that mask dilated and feathered exactly as the engine's compositing does (`compositeMask`), so every
 * pixel with a blend weight above 0 counts as inside. Outside the second, a pixel-exact composite leaves the bytes
 * of the original, and background PSNR is infinite.
 */
import { dilateMask, featherMask, thresholdMask } from '../../shared/image/mask';
import type { Mask } from '../../shared/image/types';
import { editParams } from '../../shared/api/editParams';

/** How the composite grows the region: the edit parameters `dilate` and `feather`, image px. */
export interface CompositeGrowth {
  readonly dilatePx: number;
  readonly featherPx: number;
}

/** The engine's defaults for {@link CompositeGrowth} (the edit parameters' declared defaults). */
export const defaultGrowth: CompositeGrowth = {
  dilatePx: editParams.dilatePx.default,
  featherPx: editParams.featherPx.default,
};

/** The hard region of a mask: 255 where it is ≥ 128. */
export function hardRegion(mask: Mask): Mask {
  return thresholdMask(mask);
}

/** Every pixel the composite can touch: the hard region dilated, feathered, and any weight above 0 → 255. */
export function compositeRegion(mask: Mask, growth: CompositeGrowth): Mask {
  let region = thresholdMask(mask);
  if (growth.dilatePx > 0) region = dilateMask(region, growth.dilatePx);
  if (growth.featherPx > 0) region = featherMask(region, growth.featherPx);
  const data = new Uint8Array(region.data.length);
  for (let i = 0; i < data.length; i++) data[i] = region.data[i]! > 0 ? 255 : 0;
  return { width: region.width, height: region.height, data };
}
