import type { ImageId } from '../../../shared/api';
import { type ComputedRef, type Ref, type ShallowRef, onBeforeUnmount, shallowRef, watch } from 'vue';
import { drawAnnotations } from '../canvas/drawAnnotations';
import {
  type CanvasColours,
  type Stage,
  checkerboard,
  darkCanvasColours,
  drawCompare,
  drawImageLayer,
  drawProgress,
} from '../canvas/drawLayers';
import { drawOutline } from '../canvas/drawOutline';
import type { MaskContour } from '../canvas/maskContour';
import type { PointPx } from '../canvas/viewTransform';
import { readCssColours } from '../look/cssColours';
import { useTheme } from '../look/theme';
import { useEditStore } from '../stores/editStore';
import { useMaskStore } from '../stores/maskStore';
import { useRoiStore } from '../stores/roiStore';
import type { MaskLayer } from './useMaskLayer';
import type { PanZoom } from './usePanZoom';

/** The shapes the pointer is drawing (see useCanvasTools). */
export interface DrawnShapes {
  readonly lassoImagePx: ShallowRef<PointPx[]>;
  readonly boxDrag: ShallowRef<{ from: PointPx; to: PointPx } | null>;
  readonly pointerCanvasPx: ShallowRef<PointPx | null>;
}

/** What the canvas draws, from where. */
export interface CanvasSources {
  readonly canvas: Ref<HTMLCanvasElement | null>;
  readonly panZoom: PanZoom;
  readonly isSpaceHeld: () => boolean;
  readonly base: () => ImageBitmap | null;
  /** The bitmap of an image main holds (the live preview). */
  readonly bitmap: (id: ImageId) => Promise<ImageBitmap>;
  readonly overlays: ShallowRef<Record<MaskLayer, OffscreenCanvas> | null>;
  readonly contour: () => MaskContour | null;
  readonly compare: {
    readonly images: ShallowRef<{ a: ImageBitmap; b: ImageBitmap } | null>;
    readonly difference: ShallowRef<ImageBitmap | OffscreenCanvas | null>;
  };
  readonly isComparing: () => boolean;
  readonly progress: ComputedRef<number | null>;
  readonly shapes: () => DrawnShapes;
}

function createPainter(sources: CanvasSources, preview: ShallowRef<ImageBitmap | null>) {
  const editStore = useEditStore();
  const maskStore = useMaskStore();
  const roiStore = useRoiStore();

  function drawMask(context: CanvasRenderingContext2D, at: Stage): void {
    const overlays = sources.overlays.value;
    if (!overlays) return;
    context.globalAlpha = maskStore.overlayOpacity;
    drawImageLayer(context, overlays.roi, at);
    context.globalAlpha = Math.min(1, maskStore.overlayOpacity + 0.1);
    drawImageLayer(context, overlays.protect, at);
    context.globalAlpha = 1;
    const contour = sources.contour();
    if (contour && maskStore.areaPx > 0) drawOutline(context, contour, at);
  }

  function drawEditing(context: CanvasRenderingContext2D, at: Stage, base: ImageBitmap): void {
    drawImageLayer(context, base, at);
    if (preview.value && editStore.flow.status === 'running') {
      context.globalAlpha = 0.9;
      drawImageLayer(context, preview.value, at);
      context.globalAlpha = 1;
    }
    drawMask(context, at);
    const { lassoImagePx, boxDrag, pointerCanvasPx } = sources.shapes();
    const pointer = pointerCanvasPx.value;
    const isBrush = ['brush', 'eraser', 'protect'].includes(maskStore.tool) && !sources.isSpaceHeld();
    drawAnnotations(context, at, {
      instances: roiStore.instances,
      clicks: roiStore.clicks,
      lassoImagePx: lassoImagePx.value,
      boxImagePx: boxDrag.value,
      brush: pointer && isBrush ? { atCanvasPx: pointer, diameterCanvasPx: maskStore.brushSizeCanvasPx } : null,
    });
  }

  function drawPhoto(context: CanvasRenderingContext2D, at: Stage, base: ImageBitmap): void {
    const images = sources.compare.images.value;
    const showOriginal = sources.isSpaceHeld() || editStore.isShowingOriginal;
    if (sources.isComparing() && images && !showOriginal) {
      const difference = sources.compare.difference.value;
      drawCompare(context, at, { ...images, difference }, editStore.compareMode, editStore.splitFraction);
    } else if (sources.isComparing() && images) {
      drawImageLayer(context, images.a, at);
    } else {
      drawEditing(context, at, base);
    }
  }

  return { drawPhoto };
}

/**
 * Draws the canvas once per animation frame when something asked for it: the checkerboard, the photo or the
 * compared pair, the live preview, the mask's tint and outline, the tools' shapes and the progress line.
 */
export function useCanvasRenderer(sources: CanvasSources) {
  const editStore = useEditStore();
  const theme = useTheme();
  const preview = shallowRef<ImageBitmap | null>(null);
  const painter = createPainter(sources, preview);
  let colours: CanvasColours = darkCanvasColours;
  let frame = 0;

  function stage(): Stage | null {
    const image = sources.panZoom.image.value;
    if (!image) return null;
    const { view, viewport } = sources.panZoom;
    return { view: view.value, image, viewport: viewport.value, dpr: window.devicePixelRatio || 1 };
  }

  function draw(): void {
    frame = 0;
    const element = sources.canvas.value;
    const context = element?.getContext('2d');
    const base = sources.base();
    const at = stage();
    if (!element || !context) return;
    context.setTransform(1, 0, 0, 1, 0, 0);
    context.clearRect(0, 0, element.width, element.height);
    if (!base || !at) return;
    context.setTransform(at.dpr, 0, 0, at.dpr, 0, 0);
    context.save();
    context.beginPath();
    const { view, image } = at;
    context.rect(view.offsetXCanvasPx, view.offsetYCanvasPx, image.width * view.scale, image.height * view.scale);
    context.clip();
    checkerboard(context, at.viewport, colours);
    context.restore();
    painter.drawPhoto(context, at, base);
    const fraction = sources.progress.value;
    if (fraction !== null && editStore.flow.status !== 'completed') drawProgress(context, at, fraction, colours);
  }

  function requestDraw(): void {
    if (frame === 0) frame = requestAnimationFrame(draw);
  }

  function readColours(): void {
    const element = sources.canvas.value;
    if (element)
      colours = readCssColours(element.parentElement ?? document.body, {
        checkerA: '--checker-a',
        checkerB: '--checker-b',
        accent: '--accent',
      });
    requestDraw();
  }

  watch(theme.theme, readColours, { flush: 'post' });
  watch(
    () => (editStore.flow.status === 'running' ? editStore.flow.previewId : null),
    async (id) => {
      preview.value = id ? await sources.bitmap(id) : null;
      requestDraw();
    },
  );
  onBeforeUnmount(() => {
    if (frame !== 0) cancelAnimationFrame(frame);
  });
  return { stage, requestDraw, readColours };
}
