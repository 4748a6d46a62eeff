import { ref } from 'vue';
import {
  type PointPx,
  type SizePx,
  type View,
  actualSizeView,
  fitView,
  panBy,
  wheelZoomFactor,
  zoomAt,
} from '../canvas/viewTransform';

/**
 * The canvas view (pan and zoom) of one image in one viewport. A fitted view stays fitted when the viewport changes
 * size (the window shrinks or grows) until the user zooms or pans.
 */
export function usePanZoom() {
  const view = ref<View>({ scale: 1, offsetXCanvasPx: 0, offsetYCanvasPx: 0 });
  const viewport = ref<SizePx>({ width: 1, height: 1 });
  const image = ref<SizePx | null>(null);
  const isFitted = ref(true);

  function fit(): void {
    isFitted.value = true;
    if (image.value) view.value = fitView(image.value, viewport.value);
  }

  function moved(next: View): void {
    isFitted.value = false;
    view.value = next;
  }

  return {
    view,
    viewport,
    image,
    isFitted,
    setViewport(size: SizePx): void {
      viewport.value = size;
      if (isFitted.value) fit();
    },
    /** Shows a new image fitted (a photo of another size was opened). */
    setImage(size: SizePx): void {
      image.value = size;
      fit();
    },
    fit,
    actualSize(): void {
      if (image.value) moved(actualSizeView(image.value, viewport.value));
    },
    zoomBy(factor: number, anchorCanvasPx?: PointPx): void {
      const anchor = anchorCanvasPx ?? { x: viewport.value.width / 2, y: viewport.value.height / 2 };
      moved(zoomAt(view.value, factor, anchor));
    },
    wheel(deltaY: number, anchorCanvasPx: PointPx): void {
      moved(zoomAt(view.value, wheelZoomFactor(deltaY), anchorCanvasPx));
    },
    pan(dxCanvasPx: number, dyCanvasPx: number): void {
      moved(panBy(view.value, dxCanvasPx, dyCanvasPx));
    },
  };
}

/** See {@link usePanZoom}. */
export type PanZoom = ReturnType<typeof usePanZoom>;
