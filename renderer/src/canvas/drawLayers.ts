import type { CompareMode } from '../stores/editStore';
import type { SizePx, View } from './viewTransform';

/** Where and how big things are drawn: the view, the image size (imagePx), the viewport (canvasPx), the DPR. */
export interface Stage {
  readonly view: View;
  readonly image: SizePx;
  readonly viewport: SizePx;
  readonly dpr: number;
}

/** The colours of the canvas's own chrome, from the theme (tokens.css). */
export interface CanvasColours {
  readonly checkerA: string;
  readonly checkerB: string;
  readonly accent: string;
}

/** The dark theme's, until the theme has been read. */
export const darkCanvasColours: CanvasColours = { checkerA: '#2a2a2a', checkerB: '#333333', accent: '#4c8dff' };

/** The checkerboard behind transparency, over the whole viewport (canvasPx). */
export function checkerboard(context: CanvasRenderingContext2D, viewport: SizePx, colours = darkCanvasColours): void {
  const cell = 8;
  context.fillStyle = colours.checkerA;
  context.fillRect(0, 0, viewport.width, viewport.height);
  context.fillStyle = colours.checkerB;
  for (let y = 0; y < viewport.height; y += cell) {
    for (let x = (y / cell) % 2 === 0 ? 0 : cell; x < viewport.width; x += 2 * cell) context.fillRect(x, y, cell, cell);
  }
}

/** Draws an image-sized layer through the view, shifted `dxCanvasPx` (side by side). */
export function drawImageLayer(
  context: CanvasRenderingContext2D,
  source: CanvasImageSource,
  stage: Stage,
  dxCanvasPx = 0,
): void {
  const { scale, offsetXCanvasPx, offsetYCanvasPx } = stage.view;
  const { dpr } = stage;
  context.setTransform(dpr * scale, 0, 0, dpr * scale, dpr * (offsetXCanvasPx + dxCanvasPx), dpr * offsetYCanvasPx);
  context.imageSmoothingEnabled = scale < 1;
  context.drawImage(source, 0, 0, stage.image.width, stage.image.height);
}

/** The split line's x in canvasPx. */
export function splitXCanvasPx(stage: Stage, splitFraction: number): number {
  return stage.view.offsetXCanvasPx + stage.image.width * splitFraction * stage.view.scale;
}

function clipped(context: CanvasRenderingContext2D, stage: Stage, x: number, width: number, paint: () => void): void {
  context.save();
  context.setTransform(stage.dpr, 0, 0, stage.dpr, 0, 0);
  context.beginPath();
  context.rect(x, 0, width, stage.viewport.height);
  context.clip();
  paint();
  context.restore();
}

/** Two images compared: A left / before, B right / after, in one of the four compare modes. */
export function drawCompare(
  context: CanvasRenderingContext2D,
  stage: Stage,
  images: { a: CanvasImageSource; b: CanvasImageSource; difference: CanvasImageSource | null },
  mode: CompareMode,
  splitFraction: number,
): void {
  const { viewport, dpr } = stage;
  if (mode === 'split') {
    const x = splitXCanvasPx(stage, splitFraction);
    clipped(context, stage, 0, x, () => drawImageLayer(context, images.a, stage));
    clipped(context, stage, x, viewport.width - x, () => drawImageLayer(context, images.b, stage));
    context.setTransform(dpr, 0, 0, dpr, 0, 0);
    context.fillStyle = '#ffffff';
    context.fillRect(x - 1, stage.view.offsetYCanvasPx, 2, stage.image.height * stage.view.scale);
    context.beginPath();
    context.arc(x, stage.view.offsetYCanvasPx + (stage.image.height * stage.view.scale) / 2, 8, 0, Math.PI * 2);
    context.fill();
  } else if (mode === 'sideBySide') {
    const half = viewport.width / 2;
    clipped(context, stage, 0, half, () => drawImageLayer(context, images.a, stage, -half / 2));
    clipped(context, stage, half, half, () => drawImageLayer(context, images.b, stage, half / 2));
    context.setTransform(dpr, 0, 0, dpr, 0, 0);
    context.fillStyle = '#000000';
    context.fillRect(half - 1, 0, 2, viewport.height);
  } else {
    drawImageLayer(context, images.b, stage);
    if (mode === 'difference' && images.difference) drawImageLayer(context, images.difference, stage);
  }
}

/** The thin progress line on top of the canvas. */
export function drawProgress(
  context: CanvasRenderingContext2D,
  stage: Stage,
  fraction: number,
  colours = darkCanvasColours,
): void {
  context.setTransform(stage.dpr, 0, 0, stage.dpr, 0, 0);
  context.fillStyle = colours.accent;
  context.fillRect(0, 0, stage.viewport.width * fraction, 3);
}
