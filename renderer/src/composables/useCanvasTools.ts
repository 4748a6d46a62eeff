import { type Ref, computed, shallowRef } from 'vue';
import { fillPolygon } from '../canvas/brush';
import { type Stage, splitXCanvasPx } from '../canvas/drawLayers';
import { type PointPx, canvasToImagePx } from '../canvas/viewTransform';
import { splitFraction } from '../compare/compareMath';
import { useDocumentStore } from '../stores/documentStore';
import { useEditStore } from '../stores/editStore';
import { useMaskStore } from '../stores/maskStore';
import { useRoiStore } from '../stores/roiStore';
import { type MaskLayer, useMaskLayer } from './useMaskLayer';
import type { PanZoom } from './usePanZoom';

/** What the canvas tools need from the canvas. */
export interface CanvasToolsHost {
  readonly panZoom: PanZoom;
  readonly isSpaceHeld: () => boolean;
  readonly isComparing: () => boolean;
  readonly canvas: Ref<HTMLCanvasElement | null>;
  readonly stage: () => Stage | null;
  readonly requestDraw: () => void;
}

/** Half the width (canvasPx) of the band around the split line that drags it. */
const splitGrabCanvasPx = 12;

/**
 * The pointer on the canvas: the rail's tools (brush, eraser, protect, lasso, box, clicks), panning, and dragging the
 * compare split line; with the shapes being drawn and the cursor to show.
 */
export function useCanvasTools(host: CanvasToolsHost) {
  const documentStore = useDocumentStore();
  const editStore = useEditStore();
  const maskStore = useMaskStore();
  const roiStore = useRoiStore();
  const layer = useMaskLayer();
  const { panZoom, requestDraw } = host;
  const lassoImagePx = shallowRef<PointPx[]>([]);
  const boxDrag = shallowRef<{ from: PointPx; to: PointPx } | null>(null);
  const pointerCanvasPx = shallowRef<PointPx | null>(null);
  const drag = shallowRef<{ kind: 'pan' | 'stroke' | 'lasso' | 'box' | 'split'; last: PointPx } | null>(null);

  function localPoint(event: PointerEvent | WheelEvent | MouseEvent): PointPx {
    const bounds = host.canvas.value!.getBoundingClientRect();
    return { x: event.clientX - bounds.left, y: event.clientY - bounds.top };
  }

  function imagePoint(event: PointerEvent | MouseEvent): PointPx {
    return canvasToImagePx(panZoom.view.value, localPoint(event));
  }

  function brushFor(event: PointerEvent): { layer: MaskLayer; mode: 'paint' | 'erase' } {
    if (maskStore.tool === 'protect') return { layer: 'protect', mode: event.altKey ? 'erase' : 'paint' };
    const isErase = (maskStore.tool === 'eraser') !== event.altKey;
    return { layer: 'roi', mode: isErase ? 'erase' : 'paint' };
  }

  function isOnSplitLine(at: PointPx): boolean {
    const current = host.stage();
    if (!current || !host.isComparing() || editStore.compareMode !== 'split') return false;
    return Math.abs(at.x - splitXCanvasPx(current, editStore.splitFraction)) <= splitGrabCanvasPx;
  }

  function moveSplit(at: PointPx): void {
    const current = host.stage();
    if (!current) return;
    const { view, image } = current;
    editStore.splitFraction = splitFraction(at.x, view.offsetXCanvasPx, image.width * view.scale);
  }

  function onPointerDown(event: PointerEvent): void {
    const baseId = documentStore.base?.id;
    if (!baseId || !layer.masks.value) return;
    host.canvas.value?.setPointerCapture(event.pointerId);
    const at = localPoint(event);
    const tool = maskStore.tool;
    if (event.button === 0 && isOnSplitLine(at)) {
      drag.value = { kind: 'split', last: at };
      return;
    }
    if (host.isSpaceHeld() || tool === 'pan' || event.button === 1 || host.isComparing()) {
      drag.value = { kind: 'pan', last: at };
      return;
    }
    if (event.button !== 0) return;
    const atImagePx = imagePoint(event);
    if (tool === 'brush' || tool === 'eraser' || tool === 'protect') {
      const { layer: target, mode } = brushFor(event);
      const radiusImagePx = Math.max(0.5, maskStore.brushSizeCanvasPx / 2 / panZoom.view.value.scale);
      layer.beginStroke(target, atImagePx, { radiusImagePx, hardness: maskStore.hardness, mode });
      drag.value = { kind: 'stroke', last: at };
    } else if (tool === 'lasso') {
      lassoImagePx.value = [atImagePx];
      drag.value = { kind: 'lasso', last: at };
    } else if (tool === 'box') {
      boxDrag.value = { from: atImagePx, to: atImagePx };
      drag.value = { kind: 'box', last: at };
    } else if (tool === 'positive' || tool === 'negative') {
      const isPositive = (tool === 'positive') !== event.altKey;
      void roiStore.click(baseId, { xImagePx: atImagePx.x, yImagePx: atImagePx.y, isPositive });
    }
    requestDraw();
  }

  function onPointerMove(event: PointerEvent): void {
    const at = localPoint(event);
    pointerCanvasPx.value = at;
    const current = drag.value;
    if (current?.kind === 'pan') {
      panZoom.pan(at.x - current.last.x, at.y - current.last.y);
      current.last = at;
    } else if (current?.kind === 'split') {
      moveSplit(at);
    } else if (current?.kind === 'stroke') {
      layer.strokeTo(imagePoint(event));
    } else if (current?.kind === 'lasso') {
      lassoImagePx.value = [...lassoImagePx.value, imagePoint(event)];
    } else if (current?.kind === 'box' && boxDrag.value) {
      boxDrag.value = { from: boxDrag.value.from, to: imagePoint(event) };
    }
    requestDraw();
  }

  function endBox(): void {
    if (!boxDrag.value) return;
    const { from, to } = boxDrag.value;
    boxDrag.value = null;
    const image = panZoom.image.value;
    const baseId = documentStore.base?.id;
    if (!image || !baseId) return;
    const rect = {
      x0: Math.max(0, Math.min(from.x, to.x)),
      y0: Math.max(0, Math.min(from.y, to.y)),
      x1: Math.min(image.width, Math.max(from.x, to.x)),
      y1: Math.min(image.height, Math.max(from.y, to.y)),
    };
    if (rect.x1 - rect.x0 >= 2 && rect.y1 - rect.y0 >= 2) void roiStore.box(baseId, rect);
  }

  function onPointerUp(event: PointerEvent): void {
    const current = drag.value;
    drag.value = null;
    if (!current) return;
    if (current.kind === 'stroke') {
      layer.endStroke(maskStore.tool);
    } else if (current.kind === 'lasso') {
      const points = lassoImagePx.value;
      lassoImagePx.value = [];
      const value = event.altKey ? 0 : 255;
      layer.edit('roi', 'lasso', (mask) => fillPolygon(mask, points, value));
    } else if (current.kind === 'box') {
      endBox();
    }
    requestDraw();
  }

  const cursor = computed(() => {
    const pointer = pointerCanvasPx.value;
    if (drag.value?.kind === 'split' || (pointer && isOnSplitLine(pointer))) return 'ew-resize';
    if (host.isSpaceHeld() || maskStore.tool === 'pan' || host.isComparing())
      return drag.value?.kind === 'pan' ? 'grabbing' : 'grab';
    if (['brush', 'eraser', 'protect'].includes(maskStore.tool)) return 'none';
    return 'crosshair';
  });

  return {
    lassoImagePx,
    boxDrag,
    pointerCanvasPx,
    cursor,
    localPoint,
    onPointerDown,
    onPointerMove,
    onPointerUp,
    onPointerLeave(): void {
      pointerCanvasPx.value = null;
      requestDraw();
    },
  };
}
