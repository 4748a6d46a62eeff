import { type Ref, computed, shallowRef } from 'vue';
import type { Stage } from '../canvas/drawLayers';
import type { PointPx } from '../canvas/viewTransform';
import { useDocumentStore } from '../stores/documentStore';
import { useEditStore } from '../stores/editStore';
import { useMaskStore } from '../stores/maskStore';
import { useRoiStore } from '../stores/roiStore';
import {
  type DragKind,
  type GestureContext,
  isOnSplitLine,
  pointerDown,
  pointerMove,
  pointerUp,
} from './canvasGestures';
import { useMaskLayer } from './useMaskLayer';
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

function cursorFor(ctx: GestureContext, pointer: PointPx | null): string {
  const kind = ctx.drag.value?.kind;
  if (kind === 'split' || (pointer && isOnSplitLine(ctx, pointer))) return 'ew-resize';
  if (ctx.isSpaceHeld() || ctx.maskStore.tool === 'pan' || ctx.isComparing()) {
    return kind === 'pan' ? 'grabbing' : 'grab';
  }
  if (['brush', 'eraser', 'protect'].includes(ctx.maskStore.tool)) return 'none';
  return 'crosshair';
}

/**
 * The pointer on the canvas: the rail's tools (brush, eraser, protect, lasso, box, clicks), panning, and dragging the
 * compare split line; with the shapes being drawn and the cursor to show.
 */
export function useCanvasTools(host: CanvasToolsHost) {
  const ctx: GestureContext = {
    ...host,
    documentStore: useDocumentStore(),
    editStore: useEditStore(),
    maskStore: useMaskStore(),
    roiStore: useRoiStore(),
    layer: useMaskLayer(),
    lassoImagePx: shallowRef<PointPx[]>([]),
    boxDrag: shallowRef<{ from: PointPx; to: PointPx } | null>(null),
    drag: shallowRef<{ kind: DragKind; last: PointPx } | null>(null),
  };
  const pointerCanvasPx = shallowRef<PointPx | null>(null);

  function localPoint(event: PointerEvent | WheelEvent | MouseEvent): PointPx {
    const bounds = host.canvas.value!.getBoundingClientRect();
    return { x: event.clientX - bounds.left, y: event.clientY - bounds.top };
  }

  return {
    lassoImagePx: ctx.lassoImagePx,
    boxDrag: ctx.boxDrag,
    pointerCanvasPx,
    /** True while a stroke, lasso or box is being drawn (the prompt bar steps aside). */
    isDrawing: computed(() => ['stroke', 'lasso', 'box'].includes(ctx.drag.value?.kind ?? '')),
    cursor: computed(() => cursorFor(ctx, pointerCanvasPx.value)),
    localPoint,
    onPointerDown(event: PointerEvent): void {
      if (ctx.documentStore.base && ctx.layer.masks.value) host.canvas.value?.setPointerCapture(event.pointerId);
      pointerDown(ctx, event, localPoint(event));
      host.requestDraw();
    },
    onPointerMove(event: PointerEvent): void {
      pointerCanvasPx.value = localPoint(event);
      pointerMove(ctx, pointerCanvasPx.value);
      host.requestDraw();
    },
    onPointerUp(event: PointerEvent): void {
      pointerUp(ctx, event);
      host.requestDraw();
    },
    onPointerLeave(): void {
      pointerCanvasPx.value = null;
      host.requestDraw();
    },
  };
}
