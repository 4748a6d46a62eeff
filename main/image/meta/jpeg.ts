/** JPEG metadata segments: APP1 EXIF, APP1 XMP, APP2 ICC (chunked), APP13 IPTC, inserted after the JFIF header. */
import { concat, latin1Bytes, type OutputMetadata } from './output';

const maxSegment = 65533;

/** One JPEG marker segment: FF, the marker, the big-endian length (payload + 2), the payload. */
export function jpegSegment(marker: number, payload: ArrayLike<number>): Uint8Array {
  if (payload.length > maxSegment) throw new Error(`a JPEG segment cannot hold ${payload.length} bytes`);
  const out = new Uint8Array(4 + payload.length);
  out[0] = 0xff;
  out[1] = marker;
  out[2] = (payload.length + 2) >> 8;
  out[3] = (payload.length + 2) & 0xff;
  out.set(payload, 4);
  return out;
}

/** The profile in APP2 "ICC_PROFILE" chunks of at most 65519 bytes each. */
function iccSegments(icc: Uint8Array): Uint8Array[] {
  const size = 65519;
  const count = Math.ceil(icc.length / size);
  return Array.from({ length: count }, (_, i) =>
    jpegSegment(
      0xe2,
      concat([latin1Bytes('ICC_PROFILE\0'), Uint8Array.of(i + 1, count), icc.subarray(i * size, (i + 1) * size)]),
    ),
  );
}

/** IIM records wrapped as Photoshop image resource 0x0404 in APP13. */
function iptcSegment(iim: Uint8Array): Uint8Array {
  const header = new Uint8Array(12);
  const view = new DataView(header.buffer);
  header.set(latin1Bytes('8BIM'), 0);
  view.setUint16(4, 0x0404);
  view.setUint32(8, iim.length);
  const pad = iim.length % 2 === 1 ? new Uint8Array(1) : new Uint8Array(0);
  return jpegSegment(0xed, concat([latin1Bytes('Photoshop 3.0\0'), header, iim, pad]));
}

/** The segments that carry `meta`, in the usual order. Oversized EXIF or XMP (over 64 KB) is left out. */
export function jpegMetadataSegments(meta: OutputMetadata): { segments: Uint8Array[]; dropped: string[] } {
  const segments: Uint8Array[] = [];
  const dropped: string[] = [];
  if (meta.exif) {
    if (meta.exif.length + 6 <= maxSegment)
      segments.push(jpegSegment(0xe1, concat([latin1Bytes('Exif\0\0'), meta.exif])));
    else dropped.push('EXIF (over 64 KB)');
  }
  if (meta.xmp) {
    const xmp = concat([latin1Bytes('http://ns.adobe.com/xap/1.0/\0'), new TextEncoder().encode(meta.xmp)]);
    if (xmp.length <= maxSegment) segments.push(jpegSegment(0xe1, xmp));
    else dropped.push('XMP (over 64 KB)');
  }
  if (meta.icc) segments.push(...iccSegments(meta.icc));
  if (meta.iptc && meta.iptc.length + 26 <= maxSegment) segments.push(iptcSegment(meta.iptc));
  return { segments, dropped };
}

/** Segments the export writes itself: APP1 (EXIF, XMP), APP2 (ICC, MPF), APP13 (IPTC). APP14 (Adobe) is kept. */
const replacedMarkers = new Set([0xe1, 0xe2, 0xed]);

/** The JPEG with the encoder's metadata segments replaced by `segments` (after SOI and any JFIF APP0). */
export function withJpegSegments(jpeg: Uint8Array, segments: readonly Uint8Array[]): Uint8Array {
  if (jpeg[0] !== 0xff || jpeg[1] !== 0xd8) throw new Error('not a JPEG: SOI is missing');
  const head: Uint8Array[] = [jpeg.subarray(0, 2)];
  let at = 2;
  let insertAfter = 1;
  while (at + 4 <= jpeg.length && jpeg[at] === 0xff) {
    const marker = jpeg[at + 1]!;
    if (marker < 0xe0 || marker > 0xef) break;
    const length = (jpeg[at + 2]! << 8) | jpeg[at + 3]!;
    if (!replacedMarkers.has(marker)) head.push(jpeg.subarray(at, at + 2 + length));
    if (marker === 0xe0) insertAfter = head.length;
    at += 2 + length;
  }
  head.splice(insertAfter, 0, ...segments);
  return concat([...head, jpeg.subarray(at)]);
}
