/** Where the first image and an MPF segment sit, in the source and in the output. */
export interface MpfMove {
  /** Offset of the APP2 segment's marker. */
  readonly sourceSegment: number;
  readonly outputSegment: number;
  /** Offset just past the first image's end marker: the secondary images follow from there. */
  readonly sourceImageEnd: number;
  readonly outputImageEnd: number;
}

const MP_ENTRY = 0xb002;

/**
 * An MPF (CIPA DC-007) APP2 segment whose MP entries match the output: the first image's size, and the offsets of
 * the secondary images (gain maps, depth maps, previews) appended after it, which count from the segment's TIFF
 * header. Returns `segment` itself when it is not MPF or is malformed (then nothing is rewritten).
 */
export function relocateMpf(segment: Uint8Array, move: MpfMove): Uint8Array {
  if (segment.length < 16 || segment[1] !== 0xe2 || !isMpfSignature(segment)) return segment;
  const copy = segment.slice();
  const tiff = new DataView(copy.buffer, 8, copy.length - 8);
  const little = tiff.getUint16(0) === 0x4949;
  if (!little && tiff.getUint16(0) !== 0x4d4d) return segment;
  const inside = (offset: number, size: number): boolean => offset >= 0 && offset + size <= tiff.byteLength;
  const ifd = inside(4, 4) ? tiff.getUint32(4, little) : -1;
  if (!inside(ifd, 2)) return segment;
  const count = tiff.getUint16(ifd, little);
  for (let e = 0; e < count; e++) {
    const tag = ifd + 2 + 12 * e;
    if (!inside(tag, 12) || tiff.getUint16(tag, little) !== MP_ENTRY) continue;
    const bytes = tiff.getUint32(tag + 4, little);
    const entries = tiff.getUint32(tag + 8, little);
    if (bytes % 16 !== 0 || !inside(entries, bytes)) return segment;
    for (let entry = entries; entry < entries + bytes; entry += 16) relocateEntry(tiff, entry, little, move);
    return copy;
  }
  return segment;
}

function isMpfSignature(segment: Uint8Array): boolean {
  return segment[4] === 0x4d && segment[5] === 0x50 && segment[6] === 0x46 && segment[7] === 0;
}

/** One 16-byte MP entry: attribute, size, offset (from the TIFF header; 0 for the first image), two dependencies. */
function relocateEntry(tiff: DataView, entry: number, little: boolean, move: MpfMove): void {
  const offset = tiff.getUint32(entry + 8, little);
  if (offset === 0) {
    tiff.setUint32(entry + 4, move.outputImageEnd, little);
    return;
  }
  const sourceAt = move.sourceSegment + 8 + offset;
  if (sourceAt < move.sourceImageEnd) return;
  tiff.setUint32(entry + 8, sourceAt - move.sourceImageEnd + move.outputImageEnd - (move.outputSegment + 8), little);
}
