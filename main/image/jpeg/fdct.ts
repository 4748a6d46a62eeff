import { zigzagToNatural } from './types';

// libjpeg's jfdctint.c (the "islow" integer DCT, Loeffler–Ligtenberg–Moschytz): 13-bit constants, 2 extra bits of
// precision between the passes; the result is 8 times the true DCT, which the quantizer's divisors absorb.
const CONST_BITS = 13;
const PASS1_BITS = 2;
const FIX_0_298631336 = 2446;
const FIX_0_390180644 = 3196;
const FIX_0_541196100 = 4433;
const FIX_0_765366865 = 6270;
const FIX_0_899976223 = 7373;
const FIX_1_175875602 = 9633;
const FIX_1_501321110 = 12299;
const FIX_1_847759065 = 15137;
const FIX_1_961570560 = 16069;
const FIX_2_053119869 = 16819;
const FIX_2_562915447 = 20995;
const FIX_3_072711026 = 25172;

/**
 * One 1-D pass over 8 values `data[base + i · step]` in place. `shift` descales the odd and 2/6 outputs, `dcShift`
 * the 0/4 outputs (negative: scale up, as pass 1 does).
 */
function pass(data: Int32Array, base: number, step: number, shift: number, dcShift: number): void {
  const d0 = data[base]!;
  const d1 = data[base + step]!;
  const d2 = data[base + 2 * step]!;
  const d3 = data[base + 3 * step]!;
  const d4 = data[base + 4 * step]!;
  const d5 = data[base + 5 * step]!;
  const d6 = data[base + 6 * step]!;
  const d7 = data[base + 7 * step]!;
  const tmp0 = d0 + d7;
  let tmp7 = d0 - d7;
  const tmp1 = d1 + d6;
  let tmp6 = d1 - d6;
  const tmp2 = d2 + d5;
  let tmp5 = d2 - d5;
  const tmp3 = d3 + d4;
  let tmp4 = d3 - d4;
  const tmp10 = tmp0 + tmp3;
  const tmp13 = tmp0 - tmp3;
  const tmp11 = tmp1 + tmp2;
  const tmp12 = tmp1 - tmp2;
  const round = 1 << (shift - 1);
  if (dcShift < 0) {
    data[base] = (tmp10 + tmp11) << -dcShift;
    data[base + 4 * step] = (tmp10 - tmp11) << -dcShift;
  } else {
    data[base] = (tmp10 + tmp11 + (1 << (dcShift - 1))) >> dcShift;
    data[base + 4 * step] = (tmp10 - tmp11 + (1 << (dcShift - 1))) >> dcShift;
  }
  let z1 = (tmp12 + tmp13) * FIX_0_541196100;
  data[base + 2 * step] = (z1 + tmp13 * FIX_0_765366865 + round) >> shift;
  data[base + 6 * step] = (z1 - tmp12 * FIX_1_847759065 + round) >> shift;
  z1 = tmp4 + tmp7;
  let z2 = tmp5 + tmp6;
  let z3 = tmp4 + tmp6;
  let z4 = tmp5 + tmp7;
  const z5 = (z3 + z4) * FIX_1_175875602;
  tmp4 *= FIX_0_298631336;
  tmp5 *= FIX_2_053119869;
  tmp6 *= FIX_3_072711026;
  tmp7 *= FIX_1_501321110;
  z1 *= -FIX_0_899976223;
  z2 *= -FIX_2_562915447;
  z3 = z3 * -FIX_1_961570560 + z5;
  z4 = z4 * -FIX_0_390180644 + z5;
  data[base + 7 * step] = (tmp4 + z1 + z3 + round) >> shift;
  data[base + 5 * step] = (tmp5 + z2 + z4 + round) >> shift;
  data[base + 3 * step] = (tmp6 + z2 + z3 + round) >> shift;
  data[base + step] = (tmp7 + z1 + z4 + round) >> shift;
}

/** Quantizer divisors in natural order for a quantization table given in zigzag order (× 8 for the DCT's scale). */
export function divisorsOf(quantZigzag: Uint16Array): Int32Array {
  const divisors = new Int32Array(64);
  for (let k = 0; k < 64; k++) divisors[zigzagToNatural[k]!] = quantZigzag[k]! * 8;
  return divisors;
}

/**
 * Forward DCT of the 8×8 samples in `work` (natural order, already level-shifted by −128) and quantization with
 * libjpeg's rounding (half away from zero) into `coefs` at `offset`, zigzag order. `work` is overwritten.
 */
export function fdctQuantize(work: Int32Array, divisors: Int32Array, coefs: Int16Array, offset: number): void {
  for (let row = 0; row < 64; row += 8) pass(work, row, 1, CONST_BITS - PASS1_BITS, -PASS1_BITS);
  for (let col = 0; col < 8; col++) pass(work, col, 8, CONST_BITS + PASS1_BITS, PASS1_BITS);
  for (let k = 0; k < 64; k++) {
    const n = zigzagToNatural[k]!;
    const q = divisors[n]!;
    const v = work[n]!;
    coefs[offset + k] = v < 0 ? -Math.floor((-v + (q >> 1)) / q) : Math.floor((v + (q >> 1)) / q);
  }
}
