import type { ShallowRef } from 'vue';
import type { ImageId } from '../../../shared/api';
import { fillPolygon } from '../canvas/brush';
import { type Stage, splitXCanvasPx } from '../canvas/drawLayers';
import { type PointPx, canvasToImagePx } from '../canvas/viewTransform';
import { splitFraction } from '../compare/compareMath';
import type { useDocumentStore } from '../stores/documentStore';
import type { useEditStore } from '../stores/editStore';
import type { useMaskStore } from '../stores/maskStore';
import type { useRoiStore } from '../stores/roiStore';
import type { MaskLayer, useMaskLayer } from './useMaskLayer';
import type { PanZoom } from './usePanZoom';

/** What the pointer is dragging. */
export type DragKind = 'pan' | 'stroke' | 'lasso' | 'box' | 'split';

/** Everything one pointer gesture reads and changes: the host canvas, the stores, the shapes being drawn. */
export interface GestureContext {
  readonly panZoom: PanZoom;
  readonly isSpaceHeld: () => boolean;
  readonly isComparing: () => boolean;
  readonly stage: () => Stage | null;
  readonly documentStore: ReturnType<typeof useDocumentStore>;
  readonly editStore: ReturnType<typeof useEditStore>;
  readonly maskStore: ReturnType<typeof useMaskStore>;
  readonly roiStore: ReturnType<typeof useRoiStore>;
  readonly layer: ReturnType<typeof useMaskLayer>;
  readonly lassoImagePx: ShallowRef<PointPx[]>;
  readonly boxDrag: ShallowRef<{ from: PointPx; to: PointPx } | null>;
  readonly drag: ShallowRef<{ kind: DragKind; last: PointPx } | null>;
}

/** Half the width (canvasPx) of the band around the split line that drags it. */
const splitGrabCanvasPx = 12;

/** The tools that paint with the brush cursor. */
export const brushTools: readonly string[] = ['brush', 'eraser', 'protect'];

function brushFor(ctx: GestureContext, event: PointerEvent): { layer: MaskLayer; mode: 'paint' | 'erase' } {
  if (ctx.maskStore.tool === 'protect') return { layer: 'protect', mode: event.altKey ? 'erase' : 'paint' };
  const isErase = (ctx.maskStore.tool === 'eraser') !== event.altKey;
  return { layer: 'roi', mode: isErase ? 'erase' : 'paint' };
}

/** True when `atCanvasPx` is on the compare split line (it drags the line). */
export function isOnSplitLine(ctx: GestureContext, atCanvasPx: PointPx): boolean {
  const current = ctx.stage();
  if (!current || !ctx.isComparing() || ctx.editStore.compareMode !== 'split') return false;
  return Math.abs(atCanvasPx.x - splitXCanvasPx(current, ctx.editStore.splitFraction)) <= splitGrabCanvasPx;
}

function moveSplit(ctx: GestureContext, atCanvasPx: PointPx): void {
  const current = ctx.stage();
  if (!current) return;
  const { view, image } = current;
  ctx.editStore.splitFraction = splitFraction(atCanvasPx.x, view.offsetXCanvasPx, image.width * view.scale);
}

/** Starts what the chosen tool does at `atCanvasPx` (left button, not panning). */
function startTool(ctx: GestureContext, event: PointerEvent, atCanvasPx: PointPx, baseId: ImageId): void {
  const tool = ctx.maskStore.tool;
  const atImagePx = canvasToImagePx(ctx.panZoom.view.value, atCanvasPx);
  if (brushTools.includes(tool)) {
    const { layer: target, mode } = brushFor(ctx, event);
    const radiusImagePx = Math.max(0.5, ctx.maskStore.brushSizeCanvasPx / 2 / ctx.panZoom.view.value.scale);
    ctx.layer.beginStroke(target, atImagePx, { radiusImagePx, hardness: ctx.maskStore.hardness, mode });
    ctx.drag.value = { kind: 'stroke', last: atCanvasPx };
  } else if (tool === 'lasso') {
    ctx.lassoImagePx.value = [atImagePx];
    ctx.drag.value = { kind: 'lasso', last: atCanvasPx };
  } else if (tool === 'box') {
    ctx.boxDrag.value = { from: atImagePx, to: atImagePx };
    ctx.drag.value = { kind: 'box', last: atCanvasPx };
  } else if (tool === 'positive' || tool === 'negative') {
    const isPositive = (tool === 'positive') !== event.altKey;
    void ctx.roiStore.click(baseId, { xImagePx: atImagePx.x, yImagePx: atImagePx.y, isPositive });
  }
}

/** A pointer went down at `atCanvasPx`: drag the split line, pan, or start the tool. */
export function pointerDown(ctx: GestureContext, event: PointerEvent, atCanvasPx: PointPx): void {
  const baseId = ctx.documentStore.base?.id;
  if (!baseId || !ctx.layer.masks.value) return;
  if (event.button === 0 && isOnSplitLine(ctx, atCanvasPx)) {
    ctx.drag.value = { kind: 'split', last: atCanvasPx };
  } else if (ctx.isSpaceHeld() || ctx.maskStore.tool === 'pan' || event.button === 1 || ctx.isComparing()) {
    ctx.drag.value = { kind: 'pan', last: atCanvasPx };
  } else if (event.button === 0) {
    startTool(ctx, event, atCanvasPx, baseId);
  }
}

/** The pointer moved to `atCanvasPx`: continue what it is dragging. */
export function pointerMove(ctx: GestureContext, atCanvasPx: PointPx): void {
  const current = ctx.drag.value;
  const atImagePx = () => canvasToImagePx(ctx.panZoom.view.value, atCanvasPx);
  if (current?.kind === 'pan') {
    ctx.panZoom.pan(atCanvasPx.x - current.last.x, atCanvasPx.y - current.last.y);
    current.last = atCanvasPx;
  } else if (current?.kind === 'split') {
    moveSplit(ctx, atCanvasPx);
  } else if (current?.kind === 'stroke') {
    ctx.layer.strokeTo(atImagePx());
  } else if (current?.kind === 'lasso') {
    ctx.lassoImagePx.value = [...ctx.lassoImagePx.value, atImagePx()];
  } else if (current?.kind === 'box' && ctx.boxDrag.value) {
    ctx.boxDrag.value = { from: ctx.boxDrag.value.from, to: atImagePx() };
  }
}

/** A finished box drag asks for the object inside it (when it is at least 2×2 image pixels). */
function endBox(ctx: GestureContext): void {
  if (!ctx.boxDrag.value) return;
  const { from, to } = ctx.boxDrag.value;
  ctx.boxDrag.value = null;
  const image = ctx.panZoom.image.value;
  const baseId = ctx.documentStore.base?.id;
  if (!image || !baseId) return;
  const rect = {
    x0: Math.max(0, Math.min(from.x, to.x)),
    y0: Math.max(0, Math.min(from.y, to.y)),
    x1: Math.min(image.width, Math.max(from.x, to.x)),
    y1: Math.min(image.height, Math.max(from.y, to.y)),
  };
  if (rect.x1 - rect.x0 >= 2 && rect.y1 - rect.y0 >= 2) void ctx.roiStore.box(baseId, rect);
}

/** The pointer was released: a stroke, lasso or box becomes a change. */
export function pointerUp(ctx: GestureContext, event: PointerEvent): void {
  const current = ctx.drag.value;
  ctx.drag.value = null;
  if (current?.kind === 'stroke') {
    ctx.layer.endStroke(ctx.maskStore.tool);
  } else if (current?.kind === 'lasso') {
    const points = ctx.lassoImagePx.value;
    ctx.lassoImagePx.value = [];
    const value = event.altKey ? 0 : 255;
    ctx.layer.edit('roi', 'lasso', (mask) => fillPolygon(mask, points, value));
  } else if (current?.kind === 'box') {
    endBox(ctx);
  }
}
