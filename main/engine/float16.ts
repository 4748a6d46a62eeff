/**
 * IEEE 754 binary16 ↔ binary32 for float16 model IO. onnxruntime-node exchanges float16 tensors as `Uint16Array`
 * bit patterns, so every fp16 input is converted from float32 here and every fp16 output back.
 *
 * float32 → float16 rounds to nearest, ties to even (as numpy's `astype(float16)` and ONNX Runtime's Cast do),
 * produces subnormals below 2^-14, ±Infinity above 65504 (after rounding) and keeps NaN a NaN.
 * float16 → float32 is exact and uses a 64 K-entry table.
 */

const scratch = new Float32Array(1);
const scratchBits = new Uint32Array(scratch.buffer);

/** The float16 bit pattern nearest to `value`. */
export function toFloat16Bits(value: number): number {
  scratch[0] = value;
  const x = scratchBits[0]!;
  const sign = (x >>> 16) & 0x8000;
  const exponent = (x >>> 23) & 0xff;
  const mantissa = x & 0x7fffff;
  if (exponent === 0xff) return sign | 0x7c00 | (mantissa !== 0 ? 0x200 | (mantissa >>> 13) : 0);
  const e = exponent - 112; // rebias 127 → 15
  if (e >= 31) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    const m = mantissa | 0x800000;
    const shift = 14 - e;
    let half = m >>> shift;
    const rest = m & ((1 << shift) - 1);
    const halfway = 1 << (shift - 1);
    if (rest > halfway || (rest === halfway && (half & 1) === 1)) half++;
    return sign | half;
  }
  let half = (e << 10) | (mantissa >>> 13);
  const rest = mantissa & 0x1fff;
  // a carry out of the mantissa bumps the exponent, which is the right result (up to Infinity at the top)
  if (rest > 0x1000 || (rest === 0x1000 && (half & 1) === 1)) half++;
  return sign | half;
}

let table: Float32Array | undefined;

function float16Table(): Float32Array {
  if (table) return table;
  table = new Float32Array(65536);
  for (let h = 0; h < 65536; h++) {
    const sign = h & 0x8000 ? -1 : 1;
    const exponent = (h >>> 10) & 0x1f;
    const mantissa = h & 0x3ff;
    let value: number;
    if (exponent === 0) value = mantissa * 2 ** -24;
    else if (exponent === 31) value = mantissa === 0 ? Infinity : NaN;
    else value = (1 + mantissa / 1024) * 2 ** (exponent - 15);
    table[h] = sign * value;
  }
  return table;
}

/** Converts `source` to float16 bit patterns into `out` (same length; allocated when omitted). */
export function float32ToFloat16<T extends Uint16Array = Uint16Array<ArrayBuffer>>(
  source: Float32Array,
  out: T = new Uint16Array(source.length) as T,
): T {
  for (let i = 0; i < source.length; i++) out[i] = toFloat16Bits(source[i]!);
  return out;
}

/** Converts float16 bit patterns to float32 into `out` (same length; allocated when omitted). */
export function float16ToFloat32<T extends Float32Array = Float32Array<ArrayBuffer>>(
  source: Uint16Array,
  out: T = new Float32Array(source.length) as T,
): T {
  const t = float16Table();
  for (let i = 0; i < source.length; i++) out[i] = t[source[i]!]!;
  return out;
}
