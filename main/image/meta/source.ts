/**
 * The metadata of a source file that an export keeps: EXIF (the block byte for byte, and as a tag tree), XMP, IPTC
 * (IIM records), the ICC profile byte for byte, and the EXIF orientation.
 */
import type { Metadata } from 'sharp';
import { readPngText } from '../pngText';
import { exifTiffBytes, readTiffTree, writeExifBlock, type TiffEntry, type TiffTree } from './tiffTags';

export interface SourceMetadata {
  /** EXIF as TIFF-structured bytes (no "Exif\0\0"), byte for byte from the file where it had a block. */
  readonly exif: Uint8Array | null;
  /** The same EXIF as a tag tree (IFD0 metadata tags with their EXIF/GPS/interoperability directories). */
  readonly exifTree: TiffTree | null;
  readonly xmp: string | null;
  /** IPTC-IIM records (the payload of Photoshop resource 0x0404). */
  readonly iptc: Uint8Array | null;
  readonly icc: Uint8Array | null;
  /** EXIF orientation 1–8. */
  readonly orientation: number;
}

/** TIFF tags that describe the pixel layout of a TIFF file, or that an export writes itself; never copied. */
const structuralTags = new Set([
  254, 255, 256, 257, 258, 259, 262, 263, 264, 265, 266, 273, 277, 278, 279, 280, 281, 284, 288, 289, 290, 291, 292,
  293, 317, 320, 321, 322, 323, 324, 325, 330, 332, 338, 339, 340, 341, 347, 512, 513, 514, 515, 517, 518, 519, 520,
  521, 529, 530, 531, 532, 700, 33723, 34377, 34675, 37724, 50341,
]);

/** IFD0 entries of a TIFF file or EXIF block that are metadata (camera, dates, orientation, EXIF and GPS IFDs). */
export function metadataEntries(entries: readonly TiffEntry[]): TiffEntry[] {
  return entries.filter((e) => !structuralTags.has(e.tag));
}

const photoshop = 'Photoshop 3.0\0';

/** IIM records from sharp's `iptc` (raw IIM, or a Photoshop image-resource block holding resource 0x0404). */
export function iptcRecords(iptc: Uint8Array): Uint8Array | null {
  let at = 0;
  if (new TextDecoder('latin1').decode(iptc.subarray(0, photoshop.length)) === photoshop) at = photoshop.length;
  else if (iptc[0] === 0x1c) return iptc;
  const view = new DataView(iptc.buffer, iptc.byteOffset, iptc.byteLength);
  while (at + 12 <= iptc.length && view.getUint32(at) === 0x3842494d) {
    const id = view.getUint16(at + 4);
    const nameLength = iptc[at + 6]!;
    let p = at + 6 + nameLength + 1;
    if (p % 2 === 1) p++;
    if (p + 4 > iptc.length) return null;
    const size = view.getUint32(p);
    const data = iptc.subarray(p + 4, p + 4 + size);
    if (id === 0x0404) return data.slice();
    at = p + 4 + size + (size % 2);
  }
  return null;
}

/** IPTC that ImageMagick and exiftool store in PNG text ("Raw profile type iptc": name, length, hex). */
function pngIptc(bytes: Uint8Array): Uint8Array | null {
  const text = readPngText(bytes)['Raw profile type iptc'];
  const match = text === undefined ? null : /^\s*\S+\s+(\d+)\s+([0-9a-fA-F\s]+)$/.exec(text);
  if (!match) return null;
  const hex = match[2]!.replace(/\s+/g, '');
  const length = Number(match[1]);
  if (hex.length < length * 2) return null;
  return iptcRecords(new Uint8Array(Buffer.from(hex.slice(0, length * 2), 'hex')));
}

/** The metadata to keep from a source with sharp's `metadata` and (for TIFF sources) the file's own bytes. */
export function sourceMetadata(metadata: Metadata, bytes: Uint8Array): SourceMetadata {
  let exif: Uint8Array | null = metadata.exif ? new Uint8Array(exifTiffBytes(metadata.exif)) : null;
  let exifTree = exif ? readTiffTree(exif) : null;
  if (metadata.format === 'tiff') {
    // libvips does not hand TIFF's own EXIF over: the metadata tags live in the file's IFD0
    const file = readTiffTree(bytes);
    if (file) {
      exifTree = { littleEndian: file.littleEndian, ifd0: metadataEntries(file.ifd0) };
      exif = exifTree.ifd0.length > 0 ? writeExifBlock(exifTree) : null;
      if (!exif) exifTree = null;
    }
  }
  return {
    exif,
    exifTree,
    xmp: metadata.xmp ? new TextDecoder('utf-8').decode(metadata.xmp) : null,
    iptc: metadata.iptc
      ? iptcRecords(new Uint8Array(metadata.iptc))
      : metadata.format === 'png'
        ? pngIptc(bytes)
        : null,
    icc: metadata.icc ? new Uint8Array(metadata.icc) : null,
    orientation: metadata.orientation ?? 1,
  };
}
