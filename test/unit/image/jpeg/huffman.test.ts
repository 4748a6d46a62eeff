import { describe, expect, it } from 'vitest';
import { BitReader } from '../../../../main/image/jpeg/bitReader';
import { BitWriter } from '../../../../main/image/jpeg/bitWriter';
import { buildDecodeTable, buildEncoder, optimalTable } from '../../../../main/image/jpeg/huffman';

function lengthsOf(counts: Uint8Array): number[] {
  return [...counts].flatMap((count, i) => Array<number>(count).fill(i + 1));
}

describe('optimised Huffman tables (JPEG Annex K.2)', () => {
  it('limits codes to 16 bits, never uses the all-ones code, and round-trips every symbol', () => {
    // Fibonacci frequencies make the unlimited Huffman tree ~30 levels deep.
    const freq = new Float64Array(256);
    let [a, b] = [1, 1];
    for (let s = 0; s < 30; s++) {
      freq[s * 7] = a;
      [a, b] = [b, a + b];
    }
    const spec = optimalTable(freq);
    const lengths = lengthsOf(spec.counts);
    expect(spec.symbols.length).toBe(30);
    expect(Math.max(...lengths)).toBe(16);
    expect(lengths.reduce((sum, l) => sum + 2 ** -l, 0)).toBeLessThan(1);

    const encoder = buildEncoder(spec);
    const decoder = buildDecodeTable(spec);
    const message = [...spec.symbols, ...spec.symbols].reverse();
    const writer = new BitWriter(16);
    for (const s of message) writer.put(encoder.codes[s]!, encoder.lengths[s]!);
    writer.flush();
    const reader = new BitReader(writer.bytes());
    expect(message.map(() => reader.decode(decoder))).toEqual(message);
    expect(() => new BitReader(Uint8Array.of(0xff, 0, 0xff, 0)).decode(decoder)).toThrow(/matches no symbol/);
  });

  it('gives equal frequencies equal lengths', () => {
    const freq = new Float64Array(256);
    for (let s = 0; s < 16; s++) freq[s] = 100;
    // 16 symbols + the reserved one: 15 codes of 4 bits and 1 of 5 (its sibling was the reserved code).
    expect(lengthsOf(optimalTable(freq).counts).sort()).toEqual([...Array<number>(15).fill(4), 5]);
  });

  it('writes and reads back long codes after pending bits, with 0xFF stuffed', () => {
    const writer = new BitWriter(16);
    writer.put(0b1111111, 7);
    writer.put(0x5ffffab, 27);
    writer.put(0xffff, 16);
    writer.flush();
    expect([...writer.bytes()].filter((b, i, all) => b === 0 && all[i - 1] === 0xff).length).toBeGreaterThan(0);
    const reader = new BitReader(writer.bytes());
    expect([reader.bits(7), reader.bits(11), reader.bits(16), reader.bits(16)]).toEqual([
      0b1111111,
      0x5ffffab >>> 16,
      0xffab,
      0xffff,
    ]);
  });
});
