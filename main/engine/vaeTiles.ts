/**
 * Tiled VAE runs: the image (or its latents) cut into overlapping tiles, each run through the model on its own, the
 * outputs blended back with weights that are 0 in a margin at every inner tile edge (where a tile lacks context),
 * ramp linearly across the overlap and are 1 elsewhere, normalised by their sum. A model whose outputs depend only
 * on a neighbourhood narrower than the margin gives exactly its untiled output; the peak memory of one run scales
 * with the tile's area instead of the image's.
 */

/** A tiling, in latent units (1 latent = 8 pixels). */
export interface TileSize {
  /** Tile side. */
  readonly tile: number;
  /** Least overlap between neighbouring tiles (the blend zone); at least 4. */
  readonly overlap: number;
}

/** VAE tiles of 40 latents (320 px) overlapping by at least 16 (128 px): 512² runs as 2 × 2 tiles. */
export const vaeTileSize: TileSize = { tile: 40, overlap: 16 };

/**
 * Tile starts along an axis of `length`: one tile when it fits, else evenly spread so that neighbours overlap by at
 * least `overlap` and the last tile ends at `length`.
 */
export function tileStarts(length: number, { tile, overlap }: TileSize): number[] {
  if (length <= tile) return [0];
  const count = Math.ceil((length - overlap) / (tile - overlap));
  const span = length - tile;
  return Array.from({ length: count }, (_, i) => Math.round((i * span) / (count - 1)));
}

/**
 * Blend weights along one axis of a tile of `size` output units whose inner edges are `inner` (a side at the image's
 * border has no ramp): 0 in the first quarter of the overlap, a linear ramp over its middle half, then 1.
 */
export function axisWeights(size: number, overlapOut: number, inner: { start: boolean; end: boolean }): Float32Array {
  const margin = overlapOut / 4;
  const ramp = overlapOut / 2;
  const weights = new Float32Array(size);
  for (let x = 0; x < size; x++) {
    const fromStart = inner.start ? Math.min(1, Math.max(0, (x + 0.5 - margin) / ramp)) : 1;
    const fromEnd = inner.end ? Math.min(1, Math.max(0, (size - x - 0.5 - margin) / ramp)) : 1;
    weights[x] = Math.min(fromStart, fromEnd);
  }
  return weights;
}

/** A planar float image [channels, height, width]. */
export interface Planes {
  readonly channels: number;
  readonly height: number;
  readonly width: number;
  readonly data: Float32Array<ArrayBuffer>;
}

/** The region [y, y + height) × [x, x + width) of `planes`, copied. */
export function cropPlanes(planes: Planes, x: number, y: number, width: number, height: number): Planes {
  const data = new Float32Array(planes.channels * width * height);
  for (let c = 0; c < planes.channels; c++) {
    for (let row = 0; row < height; row++) {
      const from = (c * planes.height + y + row) * planes.width + x;
      data.set(planes.data.subarray(from, from + width), (c * height + row) * width);
    }
  }
  return { channels: planes.channels, height, width, data };
}

/** One tile of the input: where it lies, in latent units. */
export interface Tile {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

/** The tiles covering a latent grid of `height` × `width`, row by row. */
export function tilesOf(height: number, width: number, size: TileSize = vaeTileSize): Tile[] {
  const ys = tileStarts(height, size);
  const xs = tileStarts(width, size);
  const tileHeight = Math.min(height, size.tile);
  const tileWidth = Math.min(width, size.tile);
  return ys.flatMap((y) => xs.map((x) => ({ x, y, width: tileWidth, height: tileHeight })));
}

/**
 * Runs `model` tile by tile over a latent grid of `height` × `width` and blends the outputs into one planar image of
 * `channels` × (height·scale) × (width·scale). `model(tile)` returns the tile's output (scale·tile size per side).
 */
export async function runTiled(
  grid: { readonly height: number; readonly width: number; readonly channels: number; readonly scale: number },
  model: (tile: Tile) => Promise<Float32Array>,
  size: TileSize = vaeTileSize,
): Promise<Planes> {
  const { channels, scale } = grid;
  const outWidth = grid.width * scale;
  const outHeight = grid.height * scale;
  const sum = new Float32Array(channels * outWidth * outHeight);
  const weightSum = new Float32Array(outWidth * outHeight);
  const overlapOut = size.overlap * scale;
  for (const tile of tilesOf(grid.height, grid.width, size)) {
    const values = await model(tile);
    const w = tile.width * scale;
    const h = tile.height * scale;
    const ox = tile.x * scale;
    const oy = tile.y * scale;
    const wx = axisWeights(w, overlapOut, { start: tile.x > 0, end: tile.x + tile.width < grid.width });
    const wy = axisWeights(h, overlapOut, { start: tile.y > 0, end: tile.y + tile.height < grid.height });
    for (let row = 0; row < h; row++) {
      for (let col = 0; col < w; col++) {
        const weight = wy[row]! * wx[col]!;
        if (weight === 0) continue;
        const at = (oy + row) * outWidth + ox + col;
        weightSum[at]! += weight;
        for (let c = 0; c < channels; c++)
          sum[c * outWidth * outHeight + at]! += weight * values[(c * h + row) * w + col]!;
      }
    }
  }
  const plane = outWidth * outHeight;
  for (let p = 0; p < plane; p++) {
    const inverse = 1 / weightSum[p]!;
    for (let c = 0; c < channels; c++) sum[c * plane + p]! *= inverse;
  }
  return { channels, height: outHeight, width: outWidth, data: sum };
}
