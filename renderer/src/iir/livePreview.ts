import { editParams } from '../../../shared/api/editParams';
import { canny, toGray } from '../../../shared/image/canny';
import { type ControlChannels, controlPreview } from '../../../shared/image/control';
import { type NoiseScope, removeInformation } from '../../../shared/image/iir';
import { resizeMask } from '../../../shared/image/mask';
import { resizeRgb } from '../../../shared/image/resize';
import type { GrayImage, Mask, RgbImage } from '../../../shared/image/types';

/** The IIR settings the preview shows. */
export interface IirSettings {
  readonly gray: boolean;
  /** σ in [0, 1] image units. */
  readonly noise: number;
  readonly scope: NoiseScope;
  readonly cannyLow: number;
  readonly cannyHigh: number;
  /** Keep the original's lightness in the composite (colour-only edits); the preview does not change with it. */
  readonly keepLightness: boolean;
}

/** Presets of the IIR panel (issue 7): what each kind of edit removes. */
export const iirPresets = {
  colour: { gray: true, noise: 0.1, scope: 'roi', keepLightness: false },
  // Texture and shading come from the photo, so the model needs only a little noise to re-colour.
  colourLightness: { gray: true, noise: 0.05, scope: 'roi', keepLightness: true },
  texture: { gray: true, noise: 0.6, scope: 'roi', keepLightness: false },
  scene: { gray: false, noise: 0.6, scope: 'image', keepLightness: false },
} as const satisfies Record<string, Pick<IirSettings, 'gray' | 'noise' | 'scope' | 'keepLightness'>>;

/** One of the IIR presets. */
export type IirPreset = keyof typeof iirPresets;

export const defaultIirSettings: IirSettings = {
  ...iirPresets.colour,
  cannyLow: editParams.cannyLow.default,
  cannyHigh: editParams.cannyHigh.default,
};

/** The preset the settings match, or null when edited by hand. */
export function presetOf(settings: IirSettings): IirPreset | null {
  for (const [name, preset] of Object.entries(iirPresets) as [IirPreset, (typeof iirPresets)[IirPreset]][]) {
    const same = (['gray', 'noise', 'scope', 'keepLightness'] as const).every((key) => preset[key] === settings[key]);
    if (same) return name;
  }
  return null;
}

/** What the model sees, at preview size (previewPx). */
export interface IirPreview {
  readonly iir: RgbImage;
  readonly edges: GrayImage;
  readonly control: RgbImage;
}

/** Size of the preview frame: the image scaled so its long side is at most `maxSidePx` (never enlarged). */
export function previewSize(width: number, height: number, maxSidePx: number): { width: number; height: number } {
  const scale = Math.min(1, maxSidePx / Math.max(width, height));
  return { width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale)) };
}

/** Downscales the photo and the mask to the preview frame (done once per photo / mask change). */
export function toPreviewFrame(image: RgbImage, mask: Mask, maxSidePx: number): { image: RgbImage; mask: Mask } {
  const size = previewSize(image.width, image.height, maxSidePx);
  const small =
    size.width === image.width && size.height === image.height ? image : resizeRgb(image, size.width, size.height);
  const smallMask =
    size.width === mask.width && size.height === mask.height
      ? mask
      : resizeMask(mask, size.width, size.height, 'linear');
  return { image: small, mask: smallMask };
}

/**
 * The IIR image, the Canny map and the control image, with the shared functions the engine uses (the engine works in
 * its working frame; the preview in the preview frame, so edges are thinner or thicker by the scale ratio).
 */
export function computeIirPreview(
  image: RgbImage,
  mask: Mask,
  settings: IirSettings,
  channels: ControlChannels,
  seed = 0,
): IirPreview {
  const iir = removeInformation(image, mask, {
    gray: settings.gray,
    noise: settings.noise,
    scope: settings.scope,
    seed,
  });
  const edges = canny(toGray(image), { low: settings.cannyLow, high: settings.cannyHigh });
  return { iir, edges, control: controlPreview(iir, edges, channels) };
}
