/**
 * A baseline TIFF writer for stored values: 8- or 16-bit gray, RGB or CMYK (plus unassociated alpha), Deflate with
 * the horizontal predictor, strips compressed in parallel. It writes the ICC profile, XMP and IPTC as their TIFF
 * tags and the source's metadata tags (camera, dates, orientation, EXIF and GPS directories) into IFD0. The file is
 * little-endian: big-endian metadata values are swapped by their field type.
 */
import { promisify } from 'node:util';
import { deflate } from 'node:zlib';
import type { StoredPixels } from './stored';
import { concat, type OutputMetadata } from './meta/output';
import { TiffLayout, tiffHeader, toLittleEndian, type TiffEntry, type TiffTree } from './meta/tiffTags';

const deflateAsync = promisify(deflate);

/** Deflate at `deflateLevel` (with the horizontal predictor), or no compression (`null`). */
export interface TiffCompression {
  readonly deflateLevel: number | null;
}

const isLittleEndianHost = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1;

/** About 1 MiB of raw data per strip. */
function rowsPerStrip(rowBytes: number, height: number): number {
  return Math.max(1, Math.min(height, Math.floor((1 << 20) / rowBytes)));
}

/** One strip's raw bytes (little-endian), after horizontal differencing when `predict`. */
function stripBytes(image: StoredPixels, y0: number, y1: number, predict: boolean): Uint8Array {
  const { width, channels, data } = image;
  const rowValues = width * channels;
  const values = data.slice(y0 * rowValues, y1 * rowValues);
  if (predict) {
    for (let row = 0; row < y1 - y0; row++) {
      const base = row * rowValues;
      for (let i = rowValues - 1; i >= channels; i--)
        values[base + i] = values[base + i]! - values[base + i - channels]!;
    }
  }
  return new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
}

function entry(tag: number, type: 3 | 4 | 7 | 1, values: readonly number[] | Uint8Array, le: boolean): TiffEntry {
  if (values instanceof Uint8Array) return { tag, type, count: values.length, value: values };
  const size = type === 3 ? 2 : type === 4 ? 4 : 1;
  const value = new Uint8Array(values.length * size);
  const view = new DataView(value.buffer);
  values.forEach((v, i) => {
    if (size === 2) view.setUint16(i * 2, v, le);
    else if (size === 4) view.setUint32(i * 4, v, le);
    else value[i] = v;
  });
  return { tag, type, count: values.length, value };
}

/** Encodes `image` (stored values, stored orientation) as a TIFF with `meta`. */
export async function encodeTiff(
  image: StoredPixels,
  meta: OutputMetadata,
  exifTree: TiffTree | null,
  compression: TiffCompression = { deflateLevel: 1 },
): Promise<Uint8Array> {
  if (!isLittleEndianHost) throw new Error('the TIFF writer needs a little-endian machine');
  const le = true;
  const tree = exifTree && toLittleEndian(exifTree);
  const { width, height, channels, depth } = image;
  const rowBytes = width * channels * (depth / 8);
  const rows = rowsPerStrip(rowBytes, height);
  const level = compression.deflateLevel;
  const starts: number[] = [];
  for (let y = 0; y < height; y += rows) starts.push(y);
  // A few strips in flight at a time: each holds a raw copy until it is compressed.
  const compressed: Uint8Array[] = new Array<Uint8Array>(starts.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < starts.length) {
      const i = next++;
      const y = starts[i]!;
      const raw = stripBytes(image, y, Math.min(height, y + rows), level !== null);
      compressed[i] = level === null ? raw : await deflateAsync(raw, { level });
    }
  };
  await Promise.all(Array.from({ length: Math.min(4, starts.length) }, worker));
  const offsets: number[] = [];
  let at = 8;
  for (const strip of compressed) {
    offsets.push(at);
    at += strip.length;
  }
  if (at % 2 === 1) at++;
  const photometric = image.space === 'gray' ? 1 : image.space === 'cmyk' ? 5 : 2;
  const entries: TiffEntry[] = [
    entry(256, 4, [width], le),
    entry(257, 4, [height], le),
    entry(258, 3, new Array<number>(channels).fill(depth), le),
    entry(259, 3, [level === null ? 1 : 8], le),
    entry(262, 3, [photometric], le),
    entry(273, 4, offsets, le),
    entry(277, 3, [channels], le),
    entry(278, 4, [rows], le),
    entry(
      279,
      4,
      compressed.map((s) => s.length),
      le,
    ),
    entry(284, 3, [1], le),
    entry(317, 3, [level === null ? 1 : 2], le),
    entry(339, 3, new Array<number>(channels).fill(1), le),
  ];
  if (image.hasAlpha) entries.push(entry(338, 3, [2], le));
  if (image.space === 'cmyk') entries.push(entry(332, 3, [1], le));
  if (meta.xmp) entries.push(entry(700, 1, new TextEncoder().encode(meta.xmp), le));
  if (meta.iptc) entries.push(entry(33723, 7, meta.iptc, le));
  if (meta.icc) entries.push(entry(34675, 7, meta.icc, le));
  const taken = new Set(entries.map((e) => e.tag));
  for (const e of tree?.ifd0 ?? []) if (!taken.has(e.tag)) entries.push(e);
  const layout = new TiffLayout(at, le);
  const ifd0 = layout.writeIfd(entries);
  const pad = at - offsets.reduce((n, _, i) => n + compressed[i]!.length, 8);
  return concat([tiffHeader(le, ifd0), ...compressed, new Uint8Array(pad), layout.bytes()]);
}
