import { describe, expect, it } from 'vitest';
import { float16ToFloat32, float32ToFloat16, toFloat16Bits } from '../../../main/engine/float16';

const fromFloat16Bits = (bits: number): number => float16ToFloat32(new Uint16Array([bits]))[0]!;

describe('float32 → float16', () => {
  it('encodes exact values', () => {
    expect(toFloat16Bits(0)).toBe(0x0000);
    expect(toFloat16Bits(-0)).toBe(0x8000);
    expect(toFloat16Bits(1)).toBe(0x3c00);
    expect(toFloat16Bits(-2)).toBe(0xc000);
    expect(toFloat16Bits(0.5)).toBe(0x3800);
    expect(toFloat16Bits(65504)).toBe(0x7bff);
    expect(toFloat16Bits(2 ** -14)).toBe(0x0400);
  });

  it('rounds to nearest, ties to even', () => {
    // 1 + 2^-11 lies halfway between 1 and 1 + 2^-10: ties to the even mantissa (1)
    expect(toFloat16Bits(1 + 2 ** -11)).toBe(0x3c00);
    // 1 + 3·2^-11 lies halfway between 1 + 2^-10 (odd) and 1 + 2^-9 (even)
    expect(toFloat16Bits(1 + 3 * 2 ** -11)).toBe(0x3c02);
    expect(toFloat16Bits(1 + 2 ** -11 + 2 ** -20)).toBe(0x3c01);
    expect(toFloat16Bits(0.1)).toBe(0x2e66);
  });

  it('produces subnormals and rounds the smallest ones', () => {
    expect(toFloat16Bits(2 ** -24)).toBe(0x0001);
    expect(toFloat16Bits(2 ** -25)).toBe(0x0000); // tie → even (0)
    expect(toFloat16Bits(1.5 * 2 ** -25)).toBe(0x0001);
    expect(toFloat16Bits(3 * 2 ** -24)).toBe(0x0003);
    expect(toFloat16Bits(2 ** -15)).toBe(0x0200);
    expect(toFloat16Bits(-(2 ** -24))).toBe(0x8001);
    expect(toFloat16Bits(2 ** -30)).toBe(0x0000);
  });

  it('overflows to infinity and keeps NaN', () => {
    expect(toFloat16Bits(65519)).toBe(0x7bff);
    expect(toFloat16Bits(65520)).toBe(0x7c00);
    expect(toFloat16Bits(1e6)).toBe(0x7c00);
    expect(toFloat16Bits(-Infinity)).toBe(0xfc00);
    expect(toFloat16Bits(Infinity)).toBe(0x7c00);
    const nan = toFloat16Bits(NaN);
    expect(nan & 0x7c00).toBe(0x7c00);
    expect(nan & 0x3ff).not.toBe(0);
  });
});

describe('float16 → float32', () => {
  it('decodes normals, subnormals, infinities and NaN', () => {
    expect(fromFloat16Bits(0x3c00)).toBe(1);
    expect(fromFloat16Bits(0xc000)).toBe(-2);
    expect(fromFloat16Bits(0x7bff)).toBe(65504);
    expect(fromFloat16Bits(0x0001)).toBe(2 ** -24);
    expect(fromFloat16Bits(0x03ff)).toBe(1023 * 2 ** -24);
    expect(fromFloat16Bits(0x7c00)).toBe(Infinity);
    expect(fromFloat16Bits(0xfc00)).toBe(-Infinity);
    expect(fromFloat16Bits(0x7e00)).toBeNaN();
    expect(Object.is(fromFloat16Bits(0x8000), -0)).toBe(true);
  });

  it('round-trips every finite float16 exactly', () => {
    const all = new Uint16Array(65536);
    for (let i = 0; i < all.length; i++) all[i] = i;
    const back = float32ToFloat16(float16ToFloat32(all));
    const mismatches: number[] = [];
    for (let i = 0; i < all.length; i++) {
      const isNaN16 = (i & 0x7c00) === 0x7c00 && (i & 0x3ff) !== 0;
      if (!isNaN16 && back[i] !== i) mismatches.push(i);
    }
    expect(mismatches).toEqual([]);
  });

  it('converts arrays into the buffer it is given', () => {
    const out = new Float32Array(3);
    expect(float16ToFloat32(Uint16Array.from([0x3c00, 0x4000, 0xbc00]), out)).toBe(out);
    expect([...out]).toEqual([1, 2, -1]);
  });
});
