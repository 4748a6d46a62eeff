import { getCurrentInstance, onBeforeUnmount, ref, shallowRef, watch } from 'vue';
import { resizeRgb } from '../../../shared/image/resize';
import type { Rect, RgbImage } from '../../../shared/image/types';
import { unionRect } from '../canvas/brush';
import { type IirPreview, computeIirPreview, previewSize } from '../iir/livePreview';
import { PreviewMask } from '../iir/previewMask';
import { useEditStore } from '../stores/editStore';
import { useMaskStore } from '../stores/maskStore';
import { useModelsStore } from '../stores/modelsStore';
import { useDocumentPixels } from './useDocumentPixels';
import { useMaskLayer } from './useMaskLayer';

/** Where the preview's photo comes from (the base by default; tests give their own). */
export interface PreviewSource {
  readonly image: () => RgbImage | null;
  /** Changes when the photo does. */
  readonly key: () => string;
}

/**
 * What the model sees, at preview size: recomputed in the next animation frame after any setting the engine gets
 * changes (σ, colour removal, the noise's scope, the Canny thresholds, the seed, the control channels), the mask, or
 * the base. Returns the preview, the milliseconds the last one took, and `stop`.
 */
export function useIirPreview(source?: PreviewSource) {
  const editStore = useEditStore();
  const maskStore = useMaskStore();
  const modelsStore = useModelsStore();
  const pixels = useDocumentPixels();
  const layer = useMaskLayer();
  const image = source?.image ?? (() => pixels.baseRgb());
  const key = source?.key ?? (() => String(pixels.baseId.value));
  const preview = shallowRef<IirPreview | null>(null);
  const computeMs = ref(0);
  let frame: { image: RgbImage; mask: PreviewMask } | null = null;
  let frameKey = '';
  let maskRevision = -1;
  let pending = 0;
  /** Where the layers changed since the preview mask was last brought up to date (imagePx). */
  let dirtyImagePx: Rect | null = null;
  const stopMaskListener = layer.onChange((_, rect) => (dirtyImagePx = unionRect(dirtyImagePx, rect)));

  function recompute(): void {
    pending = 0;
    const photo = image();
    const masks = layer.masks.value;
    if (!photo || !masks) {
      preview.value = null;
      return;
    }
    const started = performance.now();
    // The photo is downscaled once per base; of the mask only what changed since the last preview is downscaled again.
    const baseKey = key();
    if (!frame || baseKey !== frameKey || !frame.mask.fits(masks.roi.width, masks.roi.height)) {
      const size = previewSize(photo.width, photo.height, 384);
      const small =
        size.width === photo.width && size.height === photo.height ? photo : resizeRgb(photo, size.width, size.height);
      frame = { image: small, mask: new PreviewMask(masks.roi.width, masks.roi.height, size.width, size.height) };
      frame.mask.update(masks.roi, masks.protect, { x0: 0, y0: 0, x1: masks.roi.width, y1: masks.roi.height });
      frameKey = baseKey;
      maskRevision = maskStore.revision;
      dirtyImagePx = null;
    } else if (maskRevision !== maskStore.revision) {
      if (dirtyImagePx) frame.mask.update(masks.roi, masks.protect, dirtyImagePx);
      maskRevision = maskStore.revision;
      dirtyImagePx = null;
    }
    const settings = { ...editStore.iir };
    preview.value = computeIirPreview(
      frame.image,
      frame.mask.mask,
      settings,
      modelsStore.controlChannels,
      editStore.seed,
    );
    computeMs.value = Math.round(performance.now() - started);
  }

  function schedule(): void {
    if (pending === 0) pending = requestAnimationFrame(recompute);
  }

  // Each setting by value: the sliders change `iir`'s fields in place, which a watch of the object alone misses.
  const stopWatch = watch(
    () => [
      editStore.iir.noise,
      editStore.iir.gray,
      editStore.iir.scope,
      editStore.iir.cannyLow,
      editStore.iir.cannyHigh,
      editStore.seed,
      maskStore.revision,
      pixels.baseBitmap.value,
      modelsStore.controlChannels,
    ],
    schedule,
    { immediate: true },
  );

  function stop(): void {
    stopWatch();
    stopMaskListener();
    if (pending !== 0) cancelAnimationFrame(pending);
    pending = 0;
  }
  if (getCurrentInstance()) onBeforeUnmount(stop);
  return { preview, computeMs, stop };
}
