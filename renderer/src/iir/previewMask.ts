import { type AxisTaps, axisTaps } from '../../../shared/image/resize';
import type { Mask, Rect } from '../../../shared/image/types';

/** The destination indices [first, end) whose taps read any source index in [from, to). */
function affected(taps: AxisTaps, from: number, to: number): [number, number] {
  let first = 0;
  const n = taps.start.length;
  while (first < n && taps.start[first]! + taps.count[first]! <= from) first++;
  let end = first;
  while (end < n && taps.start[end]! < to) end++;
  return [first, end];
}

/**
 * The effective RoI (the RoI minus the protected area, as `effectiveRoi` builds it) downscaled to the preview frame
 * with `resizeMask(…, 'linear')`, kept up to date by recomputing only the preview pixels a change touched: a stroke on
 * a 12 MP photo otherwise costs a full-size copy and a full resize (~160 ms) in the frame the stroke ends. The values
 * are bit-identical to the full resize (same taps, same float order).
 */
export class PreviewMask {
  /** The downscaled effective RoI (previewPx); updated in place. */
  readonly mask: Mask;
  private readonly xTaps: AxisTaps;
  private readonly yTaps: AxisTaps;
  private readonly row: Float32Array;

  constructor(
    private readonly widthImagePx: number,
    private readonly heightImagePx: number,
    widthPreviewPx: number,
    heightPreviewPx: number,
  ) {
    this.mask = {
      width: widthPreviewPx,
      height: heightPreviewPx,
      data: new Uint8Array(widthPreviewPx * heightPreviewPx),
    };
    this.xTaps = axisTaps(widthImagePx, widthPreviewPx);
    this.yTaps = axisTaps(heightImagePx, heightPreviewPx);
    this.row = new Float32Array(widthImagePx);
  }

  /** True when built for layers of this size. */
  fits(widthImagePx: number, heightImagePx: number): boolean {
    return widthImagePx === this.widthImagePx && heightImagePx === this.heightImagePx;
  }

  /** Recomputes the preview pixels that read any image pixel of `dirtyImagePx` from the current layers. */
  update(roi: Mask, protect: Mask, dirtyImagePx: Rect): void {
    const [x0, x1] = affected(this.xTaps, dirtyImagePx.x0, dirtyImagePx.x1);
    const [y0, y1] = affected(this.yTaps, dirtyImagePx.y0, dirtyImagePx.y1);
    if (x0 >= x1 || y0 >= y1) return;
    const { start: xStart, count: xCount, offset: xOffset, weights: xWeights } = this.xTaps;
    const { start: yStart, count: yCount, offset: yOffset, weights: yWeights } = this.yTaps;
    const sourceX0 = xStart[x0]!;
    const sourceX1 = xStart[x1 - 1]! + xCount[x1 - 1]!;
    const width = this.widthImagePx;
    const row = this.row;
    const out = this.mask.data;
    for (let y = y0; y < y1; y++) {
      row.fill(0, sourceX0, sourceX1);
      const first = yStart[y]!;
      const w0 = yOffset[y]!;
      for (let k = 0; k < yCount[y]!; k++) {
        const weight = yWeights[w0 + k]!;
        const base = (first + k) * width;
        for (let i = sourceX0; i < sourceX1; i++) {
          row[i]! += (protect.data[base + i]! >= 128 ? 0 : roi.data[base + i]!) * weight;
        }
      }
      let q = y * this.mask.width + x0;
      for (let x = x0; x < x1; x++, q++) {
        const t0 = xOffset[x]!;
        let sum = 0;
        for (let k = 0, p = xStart[x]!; k < xCount[x]!; k++, p++) sum += row[p]! * xWeights[t0 + k]!;
        const v = Math.round(sum);
        out[q] = v < 0 ? 0 : v > 255 ? 255 : v;
      }
    }
  }
}
