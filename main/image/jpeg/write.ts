import { concat } from '../meta/output';
import { jpegSegment } from '../meta/jpeg';
import { BitWriter } from './bitWriter';
import { countBlock, emitBlock, forEachOutputBlock } from './entropy';
import { buildEncoder, optimalTable, type HuffmanSpec } from './huffman';
import { relocateMpf } from './mpf';
import type { JpegFrame } from './types';

/** Huffman slot of each component: 0 for the first (luma), 1 for the others (chroma), as libjpeg assigns them. */
function slotOf(componentIndex: number): number {
  return componentIndex === 0 ? 0 : 1;
}

/**
 * Writes `frame`'s coefficients as one sequential Huffman-coded JPEG: the kept APPn / COM segments byte for byte
 * (MPF image offsets excepted, which must follow the first image's new size),
 * the source's quantization tables, sampling factors and component ids, restart markers at the source's interval,
 * and Huffman tables optimised for these very coefficients (two passes: count, then code).
 */
export function writeBaseline(frame: JpegFrame): Uint8Array {
  const slots = frame.components.length === 1 ? 1 : 2;
  const dcFreq = Array.from({ length: slots }, () => new Float64Array(256));
  const acFreq = Array.from({ length: slots }, () => new Float64Array(256));
  const predictions = new Int32Array(frame.components.length);
  forEachOutputBlock(
    frame,
    (i, coefs, offset) => {
      const slot = slotOf(i);
      predictions[i] = countBlock(coefs, offset, predictions[i]!, dcFreq[slot]!, acFreq[slot]!);
    },
    () => predictions.fill(0),
  );
  const dcSpecs = dcFreq.map(optimalTable);
  const acSpecs = acFreq.map(optimalTable);
  const dcEncoders = dcSpecs.map(buildEncoder);
  const acEncoders = acSpecs.map(buildEncoder);
  const sourceSize = frame.scans.reduce((n, s) => n + s.data.length, 0);
  const writer = new BitWriter(sourceSize + (sourceSize >> 3) + 4096);
  predictions.fill(0);
  forEachOutputBlock(
    frame,
    (i, coefs, offset) => {
      const slot = slotOf(i);
      predictions[i] = emitBlock(writer, coefs, offset, predictions[i]!, dcEncoders[slot]!, acEncoders[slot]!);
    },
    (index) => {
      writer.restart(index);
      predictions.fill(0);
    },
  );
  writer.flush();
  const tables = [
    quantSegment(frame),
    frameSegment(frame),
    huffmanSegment(dcSpecs, acSpecs),
    ...(frame.restartInterval ? [jpegSegment(0xdd, [frame.restartInterval >> 8, frame.restartInterval & 0xff])] : []),
    scanSegment(frame),
  ];
  return assemble(frame, tables, writer.bytes());
}

/**
 * SOI, the kept segments, the tables, the scan, EOI, then whatever followed the source's EOI (MPF secondary
 * images), with MPF segments pointing at where those images now are.
 */
function assemble(frame: JpegFrame, tables: readonly Uint8Array[], scan: Uint8Array): Uint8Array {
  const length = (parts: readonly Uint8Array[]): number => parts.reduce((n, p) => n + p.length, 0);
  const imageEnd = 2 + length(frame.keptSegments) + length(tables) + scan.length + 2;
  let at = 2;
  const kept = frame.keptSegments.map((bytes, i) => {
    const move = {
      sourceSegment: frame.keptSegmentOffsets[i]!,
      outputSegment: at,
      sourceImageEnd: frame.imageEnd,
      outputImageEnd: imageEnd,
    };
    at += bytes.length;
    return relocateMpf(bytes, move);
  });
  return concat([Uint8Array.of(0xff, 0xd8), ...kept, ...tables, scan, Uint8Array.of(0xff, 0xd9), frame.trailing]);
}

function usesSixteenBitTables(frame: JpegFrame): boolean {
  return frame.components.some((c) => frame.quantTables[c.tq]!.values.some((q) => q > 255));
}

function quantSegment(frame: JpegFrame): Uint8Array {
  const body: number[] = [];
  const slots = [...new Set(frame.components.map((c) => c.tq))].sort((a, b) => a - b);
  for (const slot of slots) {
    const { values, sixteenBit } = frame.quantTables[slot]!;
    const wide = sixteenBit && values.some((q) => q > 255);
    body.push(((wide ? 1 : 0) << 4) | slot);
    for (const q of values) {
      if (wide) body.push(q >> 8, q & 0xff);
      else body.push(q);
    }
  }
  return jpegSegment(0xdb, body);
}

/** SOF0, or SOF1 (extended sequential) where a quantization table needs 16-bit entries, which baseline forbids. */
function frameSegment(frame: JpegFrame): Uint8Array {
  const body = [8, frame.height >> 8, frame.height & 0xff, frame.width >> 8, frame.width & 0xff];
  body.push(frame.components.length);
  for (const c of frame.components) body.push(c.id, (c.h << 4) | c.v, c.tq);
  return jpegSegment(usesSixteenBitTables(frame) ? 0xc1 : 0xc0, body);
}

function huffmanSegment(dc: readonly HuffmanSpec[], ac: readonly HuffmanSpec[]): Uint8Array {
  const body: number[] = [];
  const add = (tableClass: number, slot: number, spec: HuffmanSpec): void => {
    body.push((tableClass << 4) | slot, ...spec.counts, ...spec.symbols);
  };
  dc.forEach((spec, slot) => add(0, slot, spec));
  ac.forEach((spec, slot) => add(1, slot, spec));
  return jpegSegment(0xc4, body);
}

function scanSegment(frame: JpegFrame): Uint8Array {
  const body = [frame.components.length];
  frame.components.forEach((c, i) => body.push(c.id, (slotOf(i) << 4) | slotOf(i)));
  body.push(0, 63, 0);
  return jpegSegment(0xda, body);
}
