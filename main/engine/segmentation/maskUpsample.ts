import type { Mask } from '../../../shared/image/types';

/** Where SAM's low-resolution mask logits sit relative to the original image. */
export interface LowResMaskGeometry {
  /** Logit grid size (256×256 for SAM). */
  readonly lowWidth: number;
  readonly lowHeight: number;
  /** The square the image was padded to before encoding (1024×1024 for SAM), in model pixels. */
  readonly padWidth: number;
  readonly padHeight: number;
  /** The resized image inside that square (longest side 1024), in model pixels. */
  readonly reshapedWidth: number;
  readonly reshapedHeight: number;
  /** The original image, in image pixels. */
  readonly width: number;
  readonly height: number;
}

interface AxisTable {
  readonly i0: Int32Array;
  readonly i1: Int32Array;
  readonly t: Float32Array;
}

/**
 * Source cell pair and weight for each output pixel along one axis. Composes the library's two bilinear steps
 * (low-res → padded square, crop, → original size; half-pixel centres) into one mapping.
 */
function axisTable(outSize: number, reshaped: number, pad: number, low: number): AxisTable {
  const i0 = new Int32Array(outSize);
  const i1 = new Int32Array(outSize);
  const t = new Float32Array(outSize);
  const lowPerOut = (reshaped / outSize) * (low / pad);
  for (let o = 0; o < outSize; o++) {
    const u = Math.min(Math.max((o + 0.5) * lowPerOut - 0.5, 0), low - 1);
    const a = Math.floor(u);
    i0[o] = a;
    i1[o] = Math.min(a + 1, low - 1);
    t[o] = u - a;
  }
  return { i0, i1, t };
}

/**
 * Up-samples one plane of SAM mask logits (row-major `lowHeight`×`lowWidth`) to a full-resolution binary mask of
 * the original image (255 where the bilinearly interpolated logit is above `threshold`), and counts the set pixels
 * on the way (a second pass over 12 MP would cost more than the runs).
 *
 * Runs separably: each output row blends two logit rows (cheap, `lowWidth` values), then walks the runs of output
 * pixels that share a source pair. Consecutive runs whose sources are all above the threshold are filled in one
 * go; only runs that cross it are evaluated pixel by pixel. Rows that map to the same source pair and weight reuse
 * the previous output row.
 */
export function upsampleMaskLogits(
  logits: Float32Array,
  geometry: LowResMaskGeometry,
  threshold = 0,
): { mask: Mask; areaPx: number } {
  const { lowWidth, lowHeight, padWidth, padHeight, reshapedWidth, reshapedHeight, width, height } = geometry;
  const xs = axisTable(width, reshapedWidth, padWidth, lowWidth);
  const ys = axisTable(height, reshapedHeight, padHeight, lowHeight);
  const out = new Uint8Array(width * height);
  const row = new Float32Array(lowWidth);
  const usedColumns = Math.min(lowWidth, (xs.i1[width - 1] ?? 0) + 1);
  const { i1: xi1, t: xt } = xs;
  // runStart[k]..runStart[k+1] are the output columns whose left source column is k (i0 never decreases along x).
  const runStart = new Int32Array(lowWidth + 1);
  for (let k = 0, x = 0; k <= lowWidth; k++) {
    while (x < width && xs.i0[x]! < k) x++;
    runStart[k] = x;
  }
  let areaPx = 0;
  let rowArea = 0;
  for (let y = 0; y < height; y++) {
    const a = ys.i0[y]!;
    const b = ys.i1[y]!;
    const ty = ys.t[y]!;
    const rowOffset = y * width;
    if (y > 0 && a === ys.i0[y - 1] && b === ys.i1[y - 1] && ty === ys.t[y - 1]) {
      out.copyWithin(rowOffset, rowOffset - width, rowOffset);
      areaPx += rowArea;
      continue;
    }
    rowArea = 0;
    const rowA = a * lowWidth;
    const rowB = b * lowWidth;
    let isAnyAbove = false;
    for (let x = 0; x < usedColumns; x++) {
      const va = logits[rowA + x]!;
      const v = va + (logits[rowB + x]! - va) * ty;
      row[x] = v;
      if (v > threshold) isAnyAbove = true;
    }
    // Bilinear blends never exceed their sources: a row with no logit above the threshold stays empty.
    if (!isAnyAbove) continue;
    let fillFrom = -1;
    for (let k = 0; k < usedColumns; k++) {
      const start = runStart[k]!;
      const end = runStart[k + 1]!;
      if (start === end) continue;
      const va = row[k]!;
      const vb = row[xi1[start]!]!;
      if (va > threshold && vb > threshold) {
        if (fillFrom < 0) fillFrom = start;
        continue;
      }
      if (fillFrom >= 0) {
        out.fill(255, rowOffset + fillFrom, rowOffset + start);
        rowArea += start - fillFrom;
        fillFrom = -1;
      }
      if (va > threshold || vb > threshold) {
        for (let x = start; x < end; x++) {
          if (va + (vb - va) * xt[x]! > threshold) {
            out[rowOffset + x] = 255;
            rowArea++;
          }
        }
      }
    }
    if (fillFrom >= 0) {
      out.fill(255, rowOffset + fillFrom, rowOffset + width);
      rowArea += width - fillFrom;
    }
    areaPx += rowArea;
  }
  return { mask: { width, height, data: out }, areaPx };
}
