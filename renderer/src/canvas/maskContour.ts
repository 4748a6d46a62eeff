import type { Mask, Rect } from '../../../shared/image/types';

/** Side of a contour tile in level pixels. */
export const contourTilePx = 128;
/** Coarsest level of detail: one level pixel = 2^maxLevel image pixels. */
const maxLevel = 8;

/**
 * The outline of a mask (value ≥ 128 is inside) as axis-aligned edge runs between inside and outside pixels, per
 * tile and per level of detail (level L samples every 2^L-th image pixel, for zoomed-out views). Tiles are computed
 * when first drawn and kept until a change touches them, so an unchanged mask costs nothing per frame and a brush
 * dab recomputes only the tiles it touched.
 */
export class MaskContour {
  private readonly tiles = new Map<string, Int32Array>();
  /** Tiles computed so far (tests and benchmarks read it). */
  computedTiles = 0;

  constructor(readonly mask: Mask) {}

  /** Forgets the tiles whose edges a change of `dirtyImagePx` may have moved, at every level. */
  invalidate(dirtyImagePx: Rect): void {
    for (let level = 0; level <= maxLevel; level++) {
      const f = 1 << level;
      // An edge at level row y lies between rows y-1 and y: a changed row moves the edges on both of its sides.
      const tx0 = Math.floor(Math.floor(dirtyImagePx.x0 / f) / contourTilePx);
      const ty0 = Math.floor(Math.floor(dirtyImagePx.y0 / f) / contourTilePx);
      const tx1 = Math.floor((Math.ceil(dirtyImagePx.x1 / f) + 1) / contourTilePx);
      const ty1 = Math.floor((Math.ceil(dirtyImagePx.y1 / f) + 1) / contourTilePx);
      for (let ty = ty0; ty <= ty1; ty++) for (let tx = tx0; tx <= tx1; tx++) this.tiles.delete(`${level}:${tx}:${ty}`);
    }
  }

  /** The level of detail for `deviceScale` (device px per image px): its pixels are 0.75 to 1.5 device pixels. */
  static levelFor(deviceScale: number): number {
    if (deviceScale >= 1) return 0;
    // The coarsest level whose pixel is at most 1.5 device pixels: fewer samples, no visible steps.
    return Math.min(maxLevel, Math.floor(Math.log2(1.5 / deviceScale)));
  }

  /** The size of the mask at `level`, in level pixels. */
  levelSize(level: number): { width: number; height: number } {
    return levelSizeOf(this.mask, level);
  }

  /**
   * The edge runs of tile (tx, ty) at `level` as [x0, y0, x1, y1, …] in level pixels: horizontal runs (y0 = y1) lie on
   * the line between rows y0-1 and y0, vertical runs (x0 = x1) between columns x0-1 and x0.
   */
  edges(level: number, tx: number, ty: number): Int32Array {
    const key = `${level}:${tx}:${ty}`;
    let runs = this.tiles.get(key);
    if (!runs) {
      runs = tileEdges(this.mask, level, tx, ty);
      this.tiles.set(key, runs);
      this.computedTiles++;
    }
    return runs;
  }
}

function levelSizeOf(mask: Mask, level: number): { width: number; height: number } {
  const f = 1 << level;
  return { width: Math.ceil(mask.width / f), height: Math.ceil(mask.height / f) };
}

/** The inside flags of the tile's pixels plus a one-pixel frame around them (outside the mask: 0). */
function sampleTile(mask: Mask, level: number, x0: number, y0: number, w: number, h: number): Uint8Array {
  const f = 1 << level;
  const half = f >> 1;
  const { width: levelWidth, height: levelHeight } = levelSizeOf(mask, level);
  const stride = w + 2;
  const grid = new Uint8Array(stride * (h + 2));
  // The image column each grid column samples (-1: outside the mask).
  const columns = new Int32Array(stride);
  for (let i = 0; i < stride; i++) {
    const x = x0 - 1 + i;
    columns[i] = x >= 0 && x < levelWidth ? Math.min(mask.width - 1, x * f + half) : -1;
  }
  const first = x0 === 0 ? 1 : 0;
  const last = x0 + w === levelWidth ? stride - 1 : stride;
  const data = mask.data;
  for (let j = 0; j < h + 2; j++) {
    const y = y0 - 1 + j;
    if (y < 0 || y >= levelHeight) continue;
    const row = Math.min(mask.height - 1, y * f + half) * mask.width;
    const out = j * stride;
    for (let i = first; i < last; i++) grid[out + i] = data[row + columns[i]!]! >> 7;
  }
  return grid;
}

/** Edge runs of one tile (see {@link MaskContour.edges}); the last tile row / column also has the mask's far edge. */
function tileEdges(mask: Mask, level: number, tx: number, ty: number): Int32Array {
  const { width: levelWidth, height: levelHeight } = levelSizeOf(mask, level);
  const x0 = tx * contourTilePx;
  const y0 = ty * contourTilePx;
  const w = Math.max(0, Math.min(contourTilePx, levelWidth - x0));
  const h = Math.max(0, Math.min(contourTilePx, levelHeight - y0));
  if (w === 0 || h === 0) return new Int32Array(0);
  const grid = sampleTile(mask, level, x0, y0, w, h);
  const stride = w + 2;
  const runs: number[] = [];
  const rows = h + (y0 + h === levelHeight ? 1 : 0);
  const columns = w + (x0 + w === levelWidth ? 1 : 0);
  for (let j = 0; j < rows; j++) {
    let start = -1;
    for (let i = 0; i <= w; i++) {
      const isEdge = i < w && grid[j * stride + i + 1] !== grid[(j + 1) * stride + i + 1];
      if (isEdge && start < 0) start = i;
      else if (!isEdge && start >= 0) {
        runs.push(x0 + start, y0 + j, x0 + i, y0 + j);
        start = -1;
      }
    }
  }
  for (let i = 0; i < columns; i++) {
    let start = -1;
    for (let j = 0; j <= h; j++) {
      const isEdge = j < h && grid[(j + 1) * stride + i] !== grid[(j + 1) * stride + i + 1];
      if (isEdge && start < 0) start = j;
      else if (!isEdge && start >= 0) {
        runs.push(x0 + i, y0 + start, x0 + i, y0 + j);
        start = -1;
      }
    }
  }
  return Int32Array.from(runs);
}
