/**
 * TIFF directories as a tree of tags, read from and written to TIFF-structured bytes (a TIFF file, or the EXIF
 * block that JPEG, PNG and WebP carry). Values are kept as raw bytes in the source's byte order, so a tag tree is
 * copied without knowing what each tag means; sub-directories (EXIF, GPS, interoperability) are followed and
 * re-laid out on write.
 */

/** One directory entry. `value` holds `count` values of `type` in the tree's byte order. */
export interface TiffEntry {
  readonly tag: number;
  readonly type: number;
  readonly count: number;
  readonly value: Uint8Array;
  /** The directory this entry points to (EXIF, GPS, interoperability IFDs). */
  readonly sub?: readonly TiffEntry[];
}

export interface TiffTree {
  readonly littleEndian: boolean;
  readonly ifd0: readonly TiffEntry[];
}

/** Tags whose value is the offset of another IFD. */
export const subIfdTags = new Set([0x8769, 0x8825, 0xa005]);
export const gpsTag = 0x8825;

const typeSizes: Record<number, number> = {
  1: 1,
  2: 1,
  3: 2,
  4: 4,
  5: 8,
  6: 1,
  7: 1,
  8: 2,
  9: 4,
  10: 8,
  11: 4,
  12: 8,
  13: 4,
};

/** Byte size of one value of TIFF field type `type` (1 for unknown types, which are then copied as bytes). */
export function typeSize(type: number): number {
  return typeSizes[type] ?? 1;
}

class Reader {
  readonly view: DataView;
  constructor(
    readonly bytes: Uint8Array,
    readonly littleEndian: boolean,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
  u16(at: number): number {
    return this.view.getUint16(at, this.littleEndian);
  }
  u32(at: number): number {
    return this.view.getUint32(at, this.littleEndian);
  }
}

function readIfd(r: Reader, offset: number, depth: number, seen: Set<number>): TiffEntry[] {
  if (offset < 8 || offset + 2 > r.bytes.length || seen.has(offset) || depth > 3) return [];
  seen.add(offset);
  const count = r.u16(offset);
  const entries: TiffEntry[] = [];
  for (let i = 0; i < count; i++) {
    const at = offset + 2 + i * 12;
    if (at + 12 > r.bytes.length) break;
    const tag = r.u16(at);
    const type = r.u16(at + 2);
    const n = r.u32(at + 4);
    const size = typeSize(type) * n;
    const valueAt = size <= 4 ? at + 8 : r.u32(at + 8);
    if (size > r.bytes.length || valueAt + size > r.bytes.length) continue;
    const value = r.bytes.slice(valueAt, valueAt + size);
    if (subIfdTags.has(tag) && (type === 4 || type === 13) && n === 1) {
      entries.push({ tag, type, count: n, value, sub: readIfd(r, r.u32(valueAt), depth + 1, seen) });
    } else {
      entries.push({ tag, type, count: n, value });
    }
  }
  return entries;
}

/** Reads IFD0 (and its sub-IFDs) of TIFF-structured bytes; null when they are not TIFF. */
export function readTiffTree(bytes: Uint8Array): TiffTree | null {
  if (bytes.length < 8) return null;
  const order = String.fromCharCode(bytes[0]!, bytes[1]!);
  if (order !== 'II' && order !== 'MM') return null;
  const r = new Reader(bytes, order === 'II');
  if (r.u16(2) !== 42) return null;
  return { littleEndian: r.littleEndian, ifd0: readIfd(r, r.u32(4), 0, new Set()) };
}

/** The EXIF block's TIFF bytes: JPEG's APP1 payload starts with "Exif\0\0", PNG's eXIf does not. */
export function exifTiffBytes(exif: Uint8Array): Uint8Array {
  const prefixed = exif.length > 6 && exif[0] === 0x45 && exif[1] === 0x78 && exif[2] === 0x69 && exif[3] === 0x66;
  return prefixed ? exif.subarray(6) : exif;
}

/** Lays out directories after `start` (an absolute offset in the output); returns their bytes. */
export class TiffLayout {
  private readonly parts: Uint8Array[] = [];
  private length = 0;
  constructor(
    private readonly start: number,
    readonly littleEndian: boolean,
  ) {}

  get end(): number {
    return this.start + this.length;
  }

  /** Appends raw bytes (word-aligned) and returns their absolute offset. */
  append(bytes: Uint8Array): number {
    const at = this.end;
    this.parts.push(bytes);
    this.length += bytes.length;
    if (this.length % 2 === 1) {
      this.parts.push(new Uint8Array(1));
      this.length += 1;
    }
    return at;
  }

  /** Writes one IFD (entries sorted by tag) with its out-of-line values and sub-IFDs; returns its offset. */
  writeIfd(entries: readonly TiffEntry[], nextIfd = 0): number {
    const sorted = [...entries].sort((a, b) => a.tag - b.tag);
    const subOffsets = sorted.map((e) => (e.sub ? this.writeIfd(e.sub) : -1));
    const outOfLine = sorted.map((e) => (e.value.length > 4 ? this.append(e.value) : -1));
    const ifd = new Uint8Array(2 + sorted.length * 12 + 4);
    const view = new DataView(ifd.buffer);
    const le = this.littleEndian;
    view.setUint16(0, sorted.length, le);
    sorted.forEach((e, i) => {
      const at = 2 + i * 12;
      view.setUint16(at, e.tag, le);
      view.setUint16(at + 2, e.type, le);
      view.setUint32(at + 4, e.count, le);
      if (subOffsets[i]! >= 0) view.setUint32(at + 8, subOffsets[i]!, le);
      else if (outOfLine[i]! >= 0) view.setUint32(at + 8, outOfLine[i]!, le);
      else ifd.set(e.value, at + 8);
    });
    view.setUint32(2 + sorted.length * 12, nextIfd, le);
    return this.append(ifd);
  }

  bytes(): Uint8Array {
    const out = new Uint8Array(this.length);
    let at = 0;
    for (const part of this.parts) {
      out.set(part, at);
      at += part.length;
    }
    return out;
  }
}

/** A TIFF header ("II*\0" / "MM\0*") pointing at IFD0 at `ifd0`. */
export function tiffHeader(littleEndian: boolean, ifd0: number): Uint8Array {
  const header = new Uint8Array(8);
  const view = new DataView(header.buffer);
  header[0] = header[1] = littleEndian ? 0x49 : 0x4d;
  view.setUint16(2, 42, littleEndian);
  view.setUint32(4, ifd0, littleEndian);
  return header;
}

/** Serialises a tag tree as a standalone EXIF block (TIFF header + IFD0 + sub-IFDs), without "Exif\0\0". */
export function writeExifBlock(tree: TiffTree): Uint8Array {
  const layout = new TiffLayout(8, tree.littleEndian);
  const ifd0 = layout.writeIfd(tree.ifd0);
  const body = layout.bytes();
  const out = new Uint8Array(8 + body.length);
  out.set(tiffHeader(tree.littleEndian, ifd0), 0);
  out.set(body, 8);
  return out;
}

/** The tree without its GPS directory ("Remove location"). */
export function withoutGps(tree: TiffTree): TiffTree {
  return { littleEndian: tree.littleEndian, ifd0: tree.ifd0.filter((e) => e.tag !== gpsTag) };
}

/** Bytes per swapped unit of a field type: rationals swap as two 4-byte halves; bytes and text not at all. */
function swapUnit(type: number): number {
  if (type === 3 || type === 8) return 2;
  if (type === 4 || type === 9 || type === 11 || type === 13 || type === 5 || type === 10) return 4;
  if (type === 12) return 8;
  return 1;
}

function swapEntries(entries: readonly TiffEntry[]): TiffEntry[] {
  return entries.map((e) => {
    const unit = swapUnit(e.type);
    let value = e.value;
    if (unit > 1) {
      value = e.value.slice();
      for (let at = 0; at + unit <= value.length; at += unit) value.subarray(at, at + unit).reverse();
    }
    return e.sub ? { ...e, value, sub: swapEntries(e.sub) } : { ...e, value };
  });
}

/** The tree with every value in little-endian order (maker notes, being opaque bytes, are left as they are). */
export function toLittleEndian(tree: TiffTree): TiffTree {
  return tree.littleEndian ? tree : { littleEndian: true, ifd0: swapEntries(tree.ifd0) };
}
