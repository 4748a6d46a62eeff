/**
 * A sweep's contact sheet (issue 15): the region's crop of every cell in a grid, rows and columns labelled with the
 * values of the two axes, as one PNG. The crop is the region's bounding box grown by the blend (dilate + feather)
 * and a margin, so each tile shows the whole edit and a little of what surrounds it.
 */
import sharp, { type OverlayOptions } from 'sharp';
import type { Mask, Rect, RgbImage } from '../../shared/image/types';

/** The longest side of a tile, px. */
export const tileSidePx = 256;
const gapPx = 4;
const labelWidthPx = 110;
const labelHeightPx = 26;
const titleHeightPx = 26;

/** The crop every cell shows: the mask's bounding box grown by `growPx` and a quarter of its size, in the image. */
export function sweepCrop(mask: Mask, growPx: number): Rect {
  let [x0, y0, x1, y1] = [mask.width, mask.height, -1, -1];
  for (let y = 0; y < mask.height; y++) {
    const row = y * mask.width;
    for (let x = 0; x < mask.width; x++) {
      if (mask.data[row + x] === 0) continue;
      x0 = Math.min(x0, x);
      x1 = Math.max(x1, x);
      y0 = Math.min(y0, y);
      y1 = y;
    }
  }
  if (x1 < 0) return { x0: 0, y0: 0, x1: mask.width, y1: mask.height };
  const margin = growPx + Math.ceil(Math.max(x1 - x0, y1 - y0) / 4);
  return {
    x0: Math.max(0, x0 - margin),
    y0: Math.max(0, y0 - margin),
    x1: Math.min(mask.width, x1 + 1 + margin),
    y1: Math.min(mask.height, y1 + 1 + margin),
  };
}

/** `rect` of `image`, scaled to fit a tile (never enlarged past 2×). */
export async function cropTile(image: RgbImage, rect: Rect): Promise<RgbImage> {
  const width = rect.x1 - rect.x0;
  const height = rect.y1 - rect.y0;
  const scale = Math.min(2, tileSidePx / Math.max(width, height));
  const { data, info } = await sharp(image.data, { raw: { width: image.width, height: image.height, channels: 3 } })
    .extract({ left: rect.x0, top: rect.y0, width, height })
    .resize(Math.max(1, Math.round(width * scale)), Math.max(1, Math.round(height * scale)), { kernel: 'lanczos3' })
    .raw()
    .toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, data: new Uint8Array(data) };
}

const escapeXml = (text: string): string =>
  text.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!);

/** The grid's labels: a title, one per row, one per column (empty for a one-axis sweep). */
export interface SheetLabels {
  readonly title: string;
  readonly rows: readonly string[];
  readonly columns: readonly string[];
}

function labelSvg(width: number, height: number, labels: SheetLabels, tileW: number, tileH: number): Buffer {
  const text = (x: number, y: number, value: string, anchor = 'middle'): string =>
    `<text x="${x}" y="${y}" text-anchor="${anchor}">${escapeXml(value)}</text>`;
  const top = titleHeightPx + labelHeightPx;
  const parts = [text(gapPx * 2, titleHeightPx - 8, labels.title, 'start')];
  labels.columns.forEach((label, c) => {
    parts.push(text(labelWidthPx + gapPx + c * (tileW + gapPx) + tileW / 2, top - 8, label));
  });
  labels.rows.forEach((label, r) => {
    parts.push(text(labelWidthPx - gapPx * 2, top + gapPx + r * (tileH + gapPx) + tileH / 2 + 5, label, 'end'));
  });
  return Buffer.from(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">` +
      `<style>text{font-family:sans-serif;font-size:14px;fill:#e8e8e8}</style>${parts.join('')}</svg>`,
  );
}

/** The contact sheet as PNG bytes: `tiles` row by row (`labels.rows.length` rows), labelled. */
export async function contactSheet(tiles: readonly RgbImage[], labels: SheetLabels): Promise<Uint8Array> {
  const rows = Math.max(1, labels.rows.length);
  const columns = Math.max(1, Math.ceil(tiles.length / rows));
  const tileW = Math.max(...tiles.map((t) => t.width));
  const tileH = Math.max(...tiles.map((t) => t.height));
  const width = labelWidthPx + gapPx + columns * (tileW + gapPx);
  const height = titleHeightPx + labelHeightPx + gapPx + rows * (tileH + gapPx);
  const composites: OverlayOptions[] = tiles.map((tile, i) => ({
    input: Buffer.from(tile.data.buffer, tile.data.byteOffset, tile.data.length),
    raw: { width: tile.width, height: tile.height, channels: 3 as const },
    left: labelWidthPx + gapPx + (i % columns) * (tileW + gapPx),
    top: titleHeightPx + labelHeightPx + gapPx + Math.floor(i / columns) * (tileH + gapPx),
  }));
  composites.push({ input: labelSvg(width, height, labels, tileW, tileH), left: 0, top: 0 });
  const png = await sharp({ create: { width, height, channels: 3, background: '#202020' } })
    .composite(composites)
    .png()
    .toBuffer();
  return new Uint8Array(png);
}
