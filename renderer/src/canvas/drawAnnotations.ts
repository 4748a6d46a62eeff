import type { RoiClick, RoiInstance } from '../stores/roiStore';
import type { Stage } from './drawLayers';
import type { PointPx } from './viewTransform';

/** What is drawn over the photo while masking: found boxes, clicks, the lasso and box being drawn, the brush. */
export interface Annotations {
  readonly instances: readonly RoiInstance[];
  readonly clicks: readonly RoiClick[];
  readonly lassoImagePx: readonly PointPx[];
  readonly boxImagePx: { from: PointPx; to: PointPx } | null;
  /** The brush outline at the pointer (canvasPx) with its diameter, or null. */
  readonly brush: { atCanvasPx: PointPx; diameterCanvasPx: number } | null;
}

function drawInstances(context: CanvasRenderingContext2D, instances: readonly RoiInstance[], toCanvas: ToCanvas): void {
  context.lineWidth = 2;
  context.font = '12px system-ui, sans-serif';
  for (const instance of instances) {
    const a = toCanvas({ x: instance.boxImagePx.x0, y: instance.boxImagePx.y0 });
    const b = toCanvas({ x: instance.boxImagePx.x1, y: instance.boxImagePx.y1 });
    context.strokeStyle = instance.isPicked ? '#4c8dff' : '#8a8a8a';
    context.setLineDash(instance.isPicked ? [] : [6, 4]);
    context.strokeRect(a.x, a.y, b.x - a.x, b.y - a.y);
    const label = `${instance.phrase ?? 'box'}${instance.score === null ? '' : ` ${instance.score.toFixed(2)}`}`;
    const labelWidth = context.measureText(label).width + 8;
    context.fillStyle = instance.isPicked ? '#4c8dff' : '#5a5a5a';
    context.fillRect(a.x, a.y - 18, labelWidth, 18);
    context.fillStyle = '#ffffff';
    context.fillText(label, a.x + 4, a.y - 5);
  }
  context.setLineDash([]);
}

function drawClicks(context: CanvasRenderingContext2D, clicks: readonly RoiClick[], toCanvas: ToCanvas): void {
  for (const click of clicks) {
    const p = toCanvas({ x: click.xImagePx, y: click.yImagePx });
    context.fillStyle = click.isPositive ? '#2ecc71' : '#ff4d4d';
    context.beginPath();
    context.arc(p.x, p.y, 6, 0, Math.PI * 2);
    context.fill();
    context.strokeStyle = '#ffffff';
    context.stroke();
  }
}

type ToCanvas = (p: PointPx) => PointPx;

/** Draws the annotations in canvasPx. */
export function drawAnnotations(context: CanvasRenderingContext2D, stage: Stage, annotations: Annotations): void {
  const { view, dpr } = stage;
  const toCanvas: ToCanvas = (p) => ({
    x: p.x * view.scale + view.offsetXCanvasPx,
    y: p.y * view.scale + view.offsetYCanvasPx,
  });
  context.setTransform(dpr, 0, 0, dpr, 0, 0);
  drawInstances(context, annotations.instances, toCanvas);
  drawClicks(context, annotations.clicks, toCanvas);
  context.setLineDash([4, 4]);
  context.strokeStyle = '#ffffff';
  const lasso = annotations.lassoImagePx;
  if (lasso.length > 1) {
    context.beginPath();
    lasso.forEach((point, i) => {
      const p = toCanvas(point);
      if (i === 0) context.moveTo(p.x, p.y);
      else context.lineTo(p.x, p.y);
    });
    context.closePath();
    context.stroke();
  }
  const box = annotations.boxImagePx;
  if (box) {
    const a = toCanvas(box.from);
    const b = toCanvas(box.to);
    context.strokeRect(a.x, a.y, b.x - a.x, b.y - a.y);
  }
  context.setLineDash([]);
  const brush = annotations.brush;
  if (brush) {
    context.strokeStyle = 'rgba(255,255,255,0.9)';
    context.lineWidth = 1;
    context.beginPath();
    context.arc(brush.atCanvasPx.x, brush.atCanvasPx.y, brush.diameterCanvasPx / 2, 0, Math.PI * 2);
    context.stroke();
  }
}
