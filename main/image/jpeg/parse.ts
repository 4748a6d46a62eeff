import { colorSpaceOf } from './colorSpace';
import { buildDecodeTable } from './huffman';
import { corruptJpeg, JpegUnsupportedError, type JpegComponent, type JpegFrame, type JpegScan } from './types';

/** Above this the coefficients alone (2 bytes per sample, 4:4:4) would take over 2.4 GB. */
const maxPixels = 400e6;

interface FrameHeader {
  width: number;
  height: number;
  progressive: boolean;
  components: JpegComponent[];
  hmax: number;
  vmax: number;
  mcusX: number;
  mcusY: number;
}

/** Parser state while walking the segments. */
interface ParseState {
  frame: FrameHeader | undefined;
  quantTables: ({ values: Uint16Array; sixteenBit: boolean } | undefined)[];
  dcTables: (Uint16Array | undefined)[];
  acTables: (Uint16Array | undefined)[];
  restartInterval: number;
  firstRestartInterval: number | undefined;
  keptSegments: Uint8Array[];
  keptSegmentOffsets: number[];
  adobeTransform: number | undefined;
  isJfif: boolean;
  scans: JpegScan[];
}

/**
 * Parses a JPEG's segments (not yet its coefficients): frame, tables, scans with their entropy-coded data, and the
 * APPn / COM segments to keep. Throws {@link JpegUnsupportedError} for arithmetic, lossless, hierarchical and
 * 12-bit files, and an `invalid_argument` error for damaged or truncated ones.
 */
export function parseJpeg(bytes: Uint8Array): JpegFrame {
  if (bytes.length < 4 || bytes[0] !== 0xff || bytes[1] !== 0xd8) throw corruptJpeg('no JPEG start marker');
  const state: ParseState = {
    frame: undefined,
    quantTables: [],
    dcTables: [],
    acTables: [],
    restartInterval: 0,
    firstRestartInterval: undefined,
    keptSegments: [],
    keptSegmentOffsets: [],
    adobeTransform: undefined,
    isJfif: false,
    scans: [],
  };
  let pos = 2;
  for (;;) {
    if (pos + 2 > bytes.length) throw corruptJpeg('the file ends before its end marker');
    if (bytes[pos] !== 0xff) throw corruptJpeg(`no marker where one must be (byte ${pos})`);
    const marker = bytes[pos + 1]!;
    if (marker === 0xff) {
      pos++; // fill byte
      continue;
    }
    if (marker === 0xd9) {
      pos += 2;
      break;
    }
    if (pos + 4 > bytes.length) throw corruptJpeg('the file ends before its end marker');
    const length = (bytes[pos + 2]! << 8) | bytes[pos + 3]!;
    if (length < 2 || pos + 2 + length > bytes.length) throw corruptJpeg('a segment runs past the end of the file');
    const body = bytes.subarray(pos + 4, pos + 2 + length);
    const segmentEnd = pos + 2 + length;
    pos = readSegment(state, marker, body, bytes.subarray(pos, segmentEnd), bytes, segmentEnd);
  }
  return finish(state, pos, bytes.subarray(pos));
}

/** Handles one segment; returns where the next marker starts. */
function readSegment(
  state: ParseState,
  marker: number,
  body: Uint8Array,
  whole: Uint8Array,
  bytes: Uint8Array,
  end: number,
): number {
  if ((marker >= 0xe0 && marker <= 0xef) || marker === 0xfe) {
    state.keptSegments.push(whole);
    state.keptSegmentOffsets.push(end - whole.length);
    noteAppSegment(state, marker, body);
  } else if (marker === 0xdb) readQuantTables(state, body);
  else if (marker === 0xc4) readHuffmanTables(state, body);
  else if (marker === 0xdd) {
    if (body.length < 2) throw corruptJpeg('a short DRI segment');
    state.restartInterval = (body[0]! << 8) | body[1]!;
  } else if (marker === 0xc0 || marker === 0xc1 || marker === 0xc2) {
    if (state.frame) throw corruptJpeg('more than one frame header');
    state.frame = readFrameHeader(body, marker === 0xc2);
  } else if (marker >= 0xc3 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
    throw new JpegUnsupportedError(unsupportedFrame(marker));
  } else if (marker === 0xcc) {
    throw new JpegUnsupportedError('The JPEG uses arithmetic coding, which block-keeping export does not read.');
  } else if (marker === 0xda) return readScan(state, body, bytes, end);
  else if (marker === 0xdc) throw new JpegUnsupportedError('The JPEG has a DNL marker, which is not supported.');
  else if (marker === 0xde || marker === 0xdf) {
    throw new JpegUnsupportedError('The JPEG is hierarchical, which block-keeping export does not read.');
  }
  return end;
}

function unsupportedFrame(marker: number): string {
  if (marker === 0xc3 || marker === 0xc7 || marker === 0xcb || marker === 0xcf) {
    return 'The JPEG is lossless, which block-keeping export does not read.';
  }
  if (marker >= 0xc9) return 'The JPEG uses arithmetic coding, which block-keeping export does not read.';
  return 'The JPEG is hierarchical, which block-keeping export does not read.';
}

function startsWithAscii(body: Uint8Array, ascii: string): boolean {
  if (body.length < ascii.length) return false;
  for (let i = 0; i < ascii.length; i++) if (body[i] !== ascii.charCodeAt(i)) return false;
  return true;
}

function noteAppSegment(state: ParseState, marker: number, body: Uint8Array): void {
  if (marker === 0xe0 && startsWithAscii(body, 'JFIF\0')) state.isJfif = true;
  if (marker === 0xee && startsWithAscii(body, 'Adobe') && body.length >= 12) state.adobeTransform = body[11]!;
}

function readQuantTables(state: ParseState, body: Uint8Array): void {
  let p = 0;
  while (p < body.length) {
    const pq = body[p]! >> 4;
    const tq = body[p]! & 15;
    const size = pq ? 128 : 64;
    if (pq > 1 || tq > 3 || p + 1 + size > body.length) throw corruptJpeg('a bad quantization table');
    const values = new Uint16Array(64);
    for (let k = 0; k < 64; k++) {
      values[k] = pq ? (body[p + 1 + 2 * k]! << 8) | body[p + 2 + 2 * k]! : body[p + 1 + k]!;
      if (values[k] === 0) throw corruptJpeg('a quantization table holds a zero');
    }
    state.quantTables[tq] = { values, sixteenBit: pq === 1 };
    p += 1 + size;
  }
}

function readHuffmanTables(state: ParseState, body: Uint8Array): void {
  let p = 0;
  while (p < body.length) {
    if (p + 17 > body.length) throw corruptJpeg('a short Huffman table');
    const tc = body[p]! >> 4;
    const th = body[p]! & 15;
    if (tc > 1 || th > 3) throw corruptJpeg('a Huffman table with a bad class or slot');
    const counts = body.subarray(p + 1, p + 17);
    let total = 0;
    for (let i = 0; i < 16; i++) total += counts[i]!;
    if (total > 256 || p + 17 + total > body.length) throw corruptJpeg('a Huffman table runs past its segment');
    const table = buildDecodeTable({ counts, symbols: body.subarray(p + 17, p + 17 + total) });
    (tc === 0 ? state.dcTables : state.acTables)[th] = table;
    p += 17 + total;
  }
}

function readFrameHeader(body: Uint8Array, progressive: boolean): FrameHeader {
  if (body.length < 6) throw corruptJpeg('a short frame header');
  const precision = body[0]!;
  if (precision !== 8) {
    throw new JpegUnsupportedError(`The JPEG has ${precision}-bit samples; block-keeping export reads 8-bit JPEGs.`);
  }
  const height = (body[1]! << 8) | body[2]!;
  const width = (body[3]! << 8) | body[4]!;
  const count = body[5]!;
  if (width === 0 || height === 0) throw corruptJpeg('the frame has no width or no height');
  if (count < 1 || count > 4 || body.length < 6 + 3 * count) throw corruptJpeg('a bad frame header');
  if (width * height > maxPixels) {
    throw new JpegUnsupportedError(
      `The JPEG has over ${maxPixels / 1e6} megapixels, too many for block-keeping export.`,
    );
  }
  const raw = [];
  for (let i = 0; i < count; i++) {
    const o = 6 + 3 * i;
    const h = body[o + 1]! >> 4;
    const v = body[o + 1]! & 15;
    const tq = body[o + 2]!;
    if (h < 1 || h > 4 || v < 1 || v > 4 || tq > 3) throw corruptJpeg('a bad component in the frame header');
    raw.push({ id: body[o]!, h, v, tq });
  }
  const hmax = Math.max(...raw.map((c) => c.h));
  const vmax = Math.max(...raw.map((c) => c.v));
  const single = count === 1;
  const mcusX = single ? Math.ceil(width / 8) : Math.ceil(width / (8 * hmax));
  const mcusY = single ? Math.ceil(height / 8) : Math.ceil(height / (8 * vmax));
  const components = raw.map((c): JpegComponent => {
    const blocksW = single ? mcusX : mcusX * c.h;
    const blocksH = single ? mcusY : mcusY * c.v;
    return {
      ...c,
      sampleWidth: Math.ceil((width * c.h) / hmax),
      sampleHeight: Math.ceil((height * c.v) / vmax),
      blocksW,
      blocksH,
      coefs: new Int16Array(blocksW * blocksH * 64),
    };
  });
  return { width, height, progressive, components, hmax, vmax, mcusX, mcusY };
}

function readScan(state: ParseState, body: Uint8Array, bytes: Uint8Array, end: number): number {
  const frame = state.frame;
  if (!frame) throw corruptJpeg('image data before the frame header');
  const count = body[0] ?? 0;
  if (count < 1 || count > 4 || body.length < 4 + 2 * count) throw corruptJpeg('a bad scan header');
  const components: number[] = [];
  const dcTables: (Uint16Array | undefined)[] = [];
  const acTables: (Uint16Array | undefined)[] = [];
  // A sequential scan always codes whole blocks: like libjpeg, ignore whatever some encoders put in these fields.
  const sequential = !frame.progressive;
  const ss = sequential ? 0 : body[1 + 2 * count]!;
  const se = sequential ? 63 : body[2 + 2 * count]!;
  const ah = sequential ? 0 : body[3 + 2 * count]! >> 4;
  const al = sequential ? 0 : body[3 + 2 * count]! & 15;
  const valid = se <= 63 && ah <= 13 && al <= 13 && (ss === 0 ? se === 0 || sequential : se >= ss && count === 1);
  if (!valid || (ah !== 0 && ah !== al + 1)) throw corruptJpeg('a progressive scan with impossible settings');
  for (let i = 0; i < count; i++) {
    const index = frame.components.findIndex((c) => c.id === body[1 + 2 * i]);
    if (index < 0 || components.includes(index)) throw corruptJpeg('a scan names an unknown component');
    components.push(index);
    const needsDc = ss === 0 && ah === 0;
    const needsAc = se > 0;
    const dc = needsDc ? state.dcTables[body[2 + 2 * i]! >> 4] : undefined;
    const ac = needsAc ? state.acTables[body[2 + 2 * i]! & 15] : undefined;
    if ((needsDc && !dc) || (needsAc && !ac)) throw corruptJpeg('a scan uses a Huffman table that was never defined');
    dcTables.push(dc);
    acTables.push(ac);
  }
  if (count > 1) {
    const blocks = components.reduce((n, i) => n + frame.components[i]!.h * frame.components[i]!.v, 0);
    if (blocks > 10) throw corruptJpeg('an interleaved scan has more than 10 blocks per MCU');
  }
  const dataEnd = findScanEnd(bytes, end);
  state.firstRestartInterval ??= state.restartInterval;
  state.scans.push({
    components,
    dcTables,
    acTables,
    ss,
    se,
    ah,
    al,
    restartInterval: state.restartInterval,
    data: bytes.subarray(end, dataEnd),
  });
  return dataEnd;
}

/** Where the entropy-coded data that starts at `from` ends: the first marker other than RSTn (stuffed bytes skipped). */
function findScanEnd(bytes: Uint8Array, from: number): number {
  let p = from;
  for (;;) {
    p = bytes.indexOf(0xff, p);
    if (p < 0 || p + 1 >= bytes.length) throw corruptJpeg('the file ends inside the image data');
    const next = bytes[p + 1]!;
    if (next === 0 || (next >= 0xd0 && next <= 0xd7)) p += 2;
    else if (next === 0xff) p++;
    else return p;
  }
}

function finish(state: ParseState, imageEnd: number, trailing: Uint8Array): JpegFrame {
  const frame = state.frame;
  if (!frame) throw corruptJpeg('no frame header');
  if (state.scans.length === 0) throw corruptJpeg('no image data');
  for (const c of frame.components) {
    if (!state.quantTables[c.tq]) throw corruptJpeg('a component uses a quantization table that was never defined');
  }
  return {
    ...frame,
    quantTables: state.quantTables,
    restartInterval: state.firstRestartInterval ?? 0,
    keptSegments: state.keptSegments,
    keptSegmentOffsets: state.keptSegmentOffsets,
    imageEnd,
    trailing,
    colorSpace: colorSpaceOf(frame.components, state.isJfif, state.adobeTransform),
    scans: state.scans,
  };
}
