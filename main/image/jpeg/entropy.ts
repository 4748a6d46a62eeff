import type { BitWriter } from './bitWriter';
import type { HuffmanEncoder } from './huffman';
import type { JpegFrame } from './types';

/** Thrown when a coefficient does not fit 8-bit baseline coding (damaged source values): the caller falls back. */
export class CoefficientRangeError extends Error {}

/** Visits every block of the output's single scan in coding order, with restart points between MCUs. */
export function forEachOutputBlock(
  frame: JpegFrame,
  visit: (componentIndex: number, coefs: Int16Array, offset: number) => void,
  restart: (index: number) => void,
): void {
  const comps = frame.components;
  const single = comps.length === 1;
  const interval = frame.restartInterval;
  let sinceRestart = 0;
  let restarts = 0;
  for (let mcuY = 0; mcuY < frame.mcusY; mcuY++) {
    for (let mcuX = 0; mcuX < frame.mcusX; mcuX++) {
      if (interval && sinceRestart === interval) {
        restart(restarts++);
        sinceRestart = 0;
      }
      for (let i = 0; i < comps.length; i++) {
        const c = comps[i]!;
        const h = single ? 1 : c.h;
        const v = single ? 1 : c.v;
        for (let by = 0; by < v; by++) {
          const rowBase = (mcuY * v + by) * c.blocksW + mcuX * h;
          for (let bx = 0; bx < h; bx++) visit(i, c.coefs, (rowBase + bx) * 64);
        }
      }
      sinceRestart++;
    }
  }
}

function category(value: number): number {
  return 32 - Math.clz32(value < 0 ? -value : value);
}

/** Adds one block's symbols to the DC and AC frequency counts; returns its DC value (the next prediction). */
export function countBlock(
  coefs: Int16Array,
  offset: number,
  prediction: number,
  dcFreq: Float64Array,
  acFreq: Float64Array,
): number {
  const dc = coefs[offset]!;
  const dcCategory = category(dc - prediction);
  if (dcCategory > 11) throw new CoefficientRangeError('a DC difference does not fit 8-bit baseline coding');
  dcFreq[dcCategory]!++;
  let run = 0;
  for (let k = 1; k < 64; k++) {
    const v = coefs[offset + k]!;
    if (v === 0) {
      run++;
      continue;
    }
    for (; run > 15; run -= 16) acFreq[0xf0]!++;
    const c = category(v);
    if (c > 10) throw new CoefficientRangeError('an AC coefficient does not fit 8-bit baseline coding');
    acFreq[(run << 4) | c]!++;
    run = 0;
  }
  if (run > 0) acFreq[0]!++;
  return dc;
}

/** Writes one block with the given DC and AC codes; returns its DC value (the next prediction). */
export function emitBlock(
  writer: BitWriter,
  coefs: Int16Array,
  offset: number,
  prediction: number,
  dc: HuffmanEncoder,
  ac: HuffmanEncoder,
): number {
  const value = coefs[offset]!;
  const diff = value - prediction;
  const dcCategory = category(diff);
  const dcBits = (diff < 0 ? diff - 1 : diff) & ((1 << dcCategory) - 1);
  writer.put((dc.codes[dcCategory]! << dcCategory) | dcBits, dc.lengths[dcCategory]! + dcCategory);
  const codes = ac.codes;
  const lengths = ac.lengths;
  let run = 0;
  for (let k = 1; k < 64; k++) {
    const v = coefs[offset + k]!;
    if (v === 0) {
      run++;
      continue;
    }
    for (; run > 15; run -= 16) writer.put(codes[0xf0]!, lengths[0xf0]!);
    const c = category(v);
    const symbol = (run << 4) | c;
    // Code and value bits in one call: at most 16 + 10 bits, which the writer's 32-bit accumulator holds.
    writer.put((codes[symbol]! << c) | ((v < 0 ? v - 1 : v) & ((1 << c) - 1)), lengths[symbol]! + c);
    run = 0;
  }
  if (run > 0) writer.put(codes[0]!, lengths[0]!);
  return value;
}
