import { onBeforeUnmount, shallowRef, watch } from 'vue';
import { maskBoundingBox } from '../../../shared/image/mask';
import type { Rect } from '../../../shared/image/types';
import { MaskContour } from '../canvas/maskContour';
import { useMaskStore } from '../stores/maskStore';
import { useMaskLayer } from './useMaskLayer';

/**
 * The RoI's outline (its contour tiles, dropped only where a change touched them) and its bounding box in image
 * pixels (null: nothing selected), refreshed after each change that became a step.
 */
export function useMaskOutline() {
  const layer = useMaskLayer();
  const maskStore = useMaskStore();
  const boundsImagePx = shallowRef<Rect | null>(null);
  let contour: MaskContour | null = null;

  /** The contour of the RoI as it is now (a new one when the document's masks were replaced). */
  function current(): MaskContour | null {
    const mask = layer.masks.value?.roi;
    if (!mask) return (contour = null);
    if (contour?.mask !== mask) contour = new MaskContour(mask);
    return contour;
  }

  function refreshBounds(): void {
    const mask = layer.masks.value?.roi;
    boundsImagePx.value = mask ? maskBoundingBox(mask, 128) : null;
  }

  const stopListening = layer.onChange((which, dirty) => {
    if (which === 'roi' && contour?.mask === layer.masks.value?.roi) contour?.invalidate(dirty);
  });
  watch(() => [maskStore.revision, layer.masks.value], refreshBounds);
  refreshBounds();
  onBeforeUnmount(stopListening);
  return { contour: current, boundsImagePx };
}
