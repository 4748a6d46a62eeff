import { corruptJpeg } from './types';

/** A Huffman table as a DHT segment stores it: counts of codes of each length 1…16, then the symbols in code order. */
export interface HuffmanSpec {
  /** counts[l - 1] = number of codes of length l. */
  readonly counts: Uint8Array;
  readonly symbols: Uint8Array;
}

/**
 * A decoding lookup indexed by the next 16 bits of the stream: `(length << 8) | symbol`, 0 where no code matches.
 * 128 KiB per table, built in well under a millisecond; one lookup per symbol, no bit-by-bit search.
 */
export function buildDecodeTable(spec: HuffmanSpec): Uint16Array {
  const table = new Uint16Array(65536);
  let code = 0;
  let k = 0;
  for (let length = 1; length <= 16; length++) {
    const count = spec.counts[length - 1]!;
    for (let i = 0; i < count; i++) {
      if (k >= spec.symbols.length) throw corruptJpeg('a Huffman table lists more codes than symbols');
      const shift = 16 - length;
      const first = code << shift;
      const last = (code + 1) << shift;
      if (last > 65536) throw corruptJpeg('a Huffman table has more codes than fit their lengths');
      table.fill((length << 8) | spec.symbols[k]!, first, last);
      code++;
      k++;
    }
    code <<= 1;
  }
  return table;
}

/** Per-symbol code and length for encoding (length 0: the symbol has no code). */
export interface HuffmanEncoder {
  readonly codes: Uint16Array;
  readonly lengths: Uint8Array;
}

/** Code assignment of JPEG Annex C: canonical codes in order of length, then of listing. */
export function buildEncoder(spec: HuffmanSpec): HuffmanEncoder {
  const codes = new Uint16Array(256);
  const lengths = new Uint8Array(256);
  let code = 0;
  let k = 0;
  for (let length = 1; length <= 16; length++) {
    for (let i = 0; i < spec.counts[length - 1]!; i++) {
      const symbol = spec.symbols[k++]!;
      codes[symbol] = code++;
      lengths[symbol] = length;
    }
    code <<= 1;
  }
  return { codes, lengths };
}

/**
 * An optimal Huffman table for the symbol frequencies `freq` (256 entries), with code lengths limited to 16 bits,
 * exactly as JPEG Annex K.2 and libjpeg's `jpeg_gen_optimal_table`: a reserved pseudo-symbol keeps any code from
 * being all ones; over-long codes are shortened by the Figure K.3 adjustment.
 */
export function optimalTable(freq: Float64Array): HuffmanSpec {
  const f = new Float64Array(257);
  f.set(freq.subarray(0, 256));
  f[256] = 1;
  const codeSize = new Int32Array(257);
  const others = new Int32Array(257).fill(-1);
  for (;;) {
    const c1 = leastFrequent(f, -1);
    const c2 = leastFrequent(f, c1);
    if (c2 < 0) break;
    f[c1] = f[c1]! + f[c2]!;
    f[c2] = 0;
    let c = c1;
    codeSize[c]!++;
    while (others[c]! >= 0) {
      c = others[c]!;
      codeSize[c]!++;
    }
    others[c] = c2;
    c = c2;
    codeSize[c]!++;
    while (others[c]! >= 0) {
      c = others[c]!;
      codeSize[c]!++;
    }
  }
  const bits = new Int32Array(258);
  for (let i = 0; i <= 256; i++) if (codeSize[i]) bits[codeSize[i]!]!++;
  limitLengths(bits);
  const counts = Uint8Array.from(bits.subarray(1, 17));
  const symbols: number[] = [];
  for (let length = 1; length < bits.length; length++) {
    for (let s = 0; s < 256; s++) if (codeSize[s] === length) symbols.push(s);
  }
  return { counts, symbols: Uint8Array.from(symbols) };
}

/** The symbol with the smallest non-zero frequency (the highest such index on ties), skipping `except`; -1: none. */
function leastFrequent(f: Float64Array, except: number): number {
  let best = -1;
  let value = Infinity;
  for (let i = 0; i <= 256; i++) {
    const v = f[i]!;
    if (v !== 0 && v <= value && i !== except) {
      value = v;
      best = i;
    }
  }
  return best;
}

/** Annex K Figure K.3: move codes longer than 16 bits up the tree, then drop the reserved longest code. */
function limitLengths(bits: Int32Array): void {
  for (let i = bits.length - 1; i > 16; i--) {
    while (bits[i]! > 0) {
      let j = i - 2;
      while (bits[j] === 0) j--;
      bits[i]! -= 2;
      bits[i - 1]!++;
      bits[j + 1]! += 2;
      bits[j]!--;
    }
  }
  let i = 16;
  while (bits[i] === 0) i--;
  bits[i]!--;
}
