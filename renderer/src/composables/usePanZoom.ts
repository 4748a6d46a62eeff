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

/** The canvas view (pan and zoom) of one image in one viewport. */
export function usePanZoom() {
  const view = ref<View>({ scale: 1, offsetXCanvasPx: 0, offsetYCanvasPx: 0 });
  const viewport = ref<SizePx>({ width: 1, height: 1 });
  const image = ref<SizePx | null>(null);

  return {
    view,
    viewport,
    image,
    setViewport(size: SizePx): void {
      viewport.value = size;
    },
    fit(): void {
      if (image.value) view.value = fitView(image.value, viewport.value);
    },
    actualSize(): void {
      if (image.value) view.value = actualSizeView(image.value, viewport.value);
    },
    zoomBy(factor: number, anchorCanvasPx?: PointPx): void {
      const anchor = anchorCanvasPx ?? { x: viewport.value.width / 2, y: viewport.value.height / 2 };
      view.value = zoomAt(view.value, factor, anchor);
    },
    wheel(deltaY: number, anchorCanvasPx: PointPx): void {
      view.value = zoomAt(view.value, wheelZoomFactor(deltaY), anchorCanvasPx);
    },
    pan(dxCanvasPx: number, dyCanvasPx: number): void {
      view.value = panBy(view.value, dxCanvasPx, dyCanvasPx);
    },
  };
}

/** See {@link usePanZoom}. */
export type PanZoom = ReturnType<typeof usePanZoom>;
