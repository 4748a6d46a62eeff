import type { Mask } from '../../../shared/image/types';
import type { Stage } from '../../../renderer/src/canvas/drawLayers';
import { outlineRects } from '../../../renderer/src/canvas/drawOutline';
import { MaskContour } from '../../../renderer/src/canvas/maskContour';
import { fitView } from '../../../renderer/src/canvas/viewTransform';
import { type BenchSuite, measure } from '../suite';

const width = 4000;
const height = 3000;
const viewport = { width: 1100, height: 800 };

/** A 12 MP mask holding a large region with a ragged edge (a found object), ~40 % of the photo. */
function raggedMask(): Mask {
  const data = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const angle = Math.atan2(y - 1500, x - 2000);
      const radius = 1100 + 60 * Math.sin(angle * 23) + 25 * Math.sin(angle * 97);
      if (Math.hypot((x - 2000) * 0.8, y - 1500) < radius) data[y * width + x] = 255;
    }
  }
  return { width, height, data };
}

function stageAt(scale: number, offsetX: number, offsetY: number): Stage {
  return {
    view: { scale, offsetXCanvasPx: offsetX, offsetYCanvasPx: offsetY },
    image: { width, height },
    viewport,
    dpr: 1,
  };
}

/** Runs one frame's outline and answers the rectangles it drew. */
function frame(contour: MaskContour, stage: Stage): number {
  let rects = 0;
  outlineRects(contour, stage, () => rects++);
  return rects;
}

/** The mask outline: its first frame (contour tiles computed), later frames (cached), and a frame after a brush dab. */
export const outlineSuite: BenchSuite = {
  name: 'outline',
  summary: 'mask outline on a 12 MP mask: first and cached frames at fit and 100 %, a frame after a brush dab',
  async run(context) {
    const mask = raggedMask();
    const fit = fitView({ width, height }, viewport);
    const fitStage = stageAt(fit.scale, fit.offsetXCanvasPx, fit.offsetYCanvasPx);
    // 100 %, looking at the region's right edge.
    const actualStage = stageAt(1, -2900, -1100);
    context.log('outline: first frames');
    const firstFit = await measure(() => Promise.resolve(frame(new MaskContour(mask), fitStage)), 5, 1);
    const firstActual = await measure(() => Promise.resolve(frame(new MaskContour(mask), actualStage)), 5, 1);
    const contour = new MaskContour(mask);
    const rectsFit = frame(contour, fitStage);
    const rectsActual = frame(contour, actualStage);
    context.log('outline: cached frames');
    const cachedFit = await measure(() => Promise.resolve(frame(contour, fitStage)), 30);
    const cachedActual = await measure(() => Promise.resolve(frame(contour, actualStage)), 30);
    context.log('outline: a dab, then a frame');
    const afterDab = await measure(() => {
      contour.invalidate({ x0: 3380, y0: 1480, x1: 3420, y1: 1520 });
      return Promise.resolve(frame(contour, actualStage));
    }, 30);
    return {
      maskPx: width * height,
      fitScale: Math.round(fit.scale * 1000) / 1000,
      rectsPerFrame: { fit: rectsFit, actualSize: rectsActual },
      // Wall and CPU milliseconds: CPU time tells a busy machine from slow code.
      firstFrame: { fit: firstFit, actualSize: firstActual },
      cachedFrame: { fit: cachedFit, actualSize: cachedActual },
      frameAfterDab: afterDab,
    };
  },
};
