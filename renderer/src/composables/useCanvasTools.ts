import { type Ref, computed, onBeforeUnmount, ref, shallowRef } from 'vue';
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

/** How long after the last pointer activity of a mask tool the prompt bar takes clicks again (ms). */
export const promptBarRestMs = 700;

/**
 * True while the pointer works the canvas with a mask tool, and until it has rested {@link promptBarRestMs}: the
 * prompt bar then lets strokes through, so painting on past the selection never lands in it.
 */
function useActivity(ctx: GestureContext) {
  const isActive = ref(false);
  let timer: ReturnType<typeof setTimeout> | undefined;

  function poke(): void {
    if (ctx.isSpaceHeld() || ctx.isComparing() || ctx.maskStore.tool === 'pan') return;
    isActive.value = true;
    clearTimeout(timer);
    timer = setTimeout(() => (isActive.value = false), promptBarRestMs);
  }

  function stop(): void {
    clearTimeout(timer);
    isActive.value = false;
  }

  onBeforeUnmount(stop);
  return { isActive, poke, stop };
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
  const activity = useActivity(ctx);

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
    /** True while the pointer is at work with a mask tool (see useActivity). */
    isWorking: activity.isActive,
    cursor: computed(() => cursorFor(ctx, pointerCanvasPx.value)),
    localPoint,
    onPointerDown(event: PointerEvent): void {
      if (ctx.documentStore.base && ctx.layer.masks.value) host.canvas.value?.setPointerCapture(event.pointerId);
      activity.poke();
      pointerDown(ctx, event, localPoint(event));
      host.requestDraw();
    },
    onPointerMove(event: PointerEvent): void {
      pointerCanvasPx.value = localPoint(event);
      activity.poke();
      pointerMove(ctx, pointerCanvasPx.value);
      host.requestDraw();
    },
    onPointerUp(event: PointerEvent): void {
      pointerUp(ctx, event);
      host.requestDraw();
    },
    onPointerLeave(): void {
      activity.stop();
      pointerCanvasPx.value = null;
      host.requestDraw();
    },
  };
}
