/**
 * Seeded pseudo-random numbers that give the same bytes on every machine.
 *
 * - {@link Rng} is **xoshiro128\*\*** (Blackman & Vigna, 2018; 128-bit state, period 2^128 − 1) whose state is filled
 *   from the seed by **SplitMix32** (see {@link splitMix32At}). All of it is 32-bit integer arithmetic
 *   (`Math.imul`, `>>>`), exact in every JavaScript engine.
 * - Gaussians come from Box–Muller on two 32-bit uniforms. V8's `Math.log`, `Math.sqrt`, `Math.cos` and `Math.sin`
 *   are ports of fdlibm (sqrt is IEEE-exact), so the same seed gives the same float64 values on every platform V8 runs
 *   on; that is why a seed can be written into an edit recipe and replayed elsewhere.
 * - {@link splitMix32At} is a counter-based stream (output *k* is a pure function of the seed and *k*): the IIR
 *   noise uses it so the noise at a pixel depends only on the seed and the pixel's position, not on the mask.
 */

import { invalidArgument } from '../errors';

const twoPow32 = 4294967296;
/** 2^32 · (golden ratio − 1), the Weyl increment of SplitMix32. */
const golden = 0x9e3779b9;

/**
 * Reduces a seed to an unsigned 32-bit integer. Any safe integer (negative too) is accepted:
 * seeds in [0, 2^32) are used unchanged; for any other seed the low 32 bits (two's complement, i.e. `seed mod 2^32`)
 * are XOR-ed with a SplitMix32 hash of the high bits, so e.g. `-1` and `2^32 − 1` give different streams.
 * Throws `invalid_argument` for non-integers and integers beyond ±(2^53 − 1).
 */
export function seedToUint32(seed: number): number {
  if (!Number.isSafeInteger(seed)) throw invalidArgument(`seed must be a safe integer, got ${String(seed)}`);
  const low = ((seed % twoPow32) + twoPow32) % twoPow32;
  const high = Math.floor(seed / twoPow32);
  if (high === 0) return low;
  const highWord = ((high % twoPow32) + twoPow32) % twoPow32;
  return (low ^ mix32((highWord + golden) | 0)) >>> 0;
}

/**
 * The SplitMix32 output mixer: Chris Wellons' "lowbias32" finalizer (constants 0x21f0aaad, 0x735a2d97), a bijection
 * on 32-bit words with very low avalanche bias.
 */
export function mix32(x: number): number {
  let z = x | 0;
  z = Math.imul(z ^ (z >>> 16), 0x21f0aaad);
  z = Math.imul(z ^ (z >>> 15), 0x735a2d97);
  return (z ^ (z >>> 15)) >>> 0;
}

/**
 * Output number `index` (0-based) of the SplitMix32 stream started at `seed32`:
 * `mix32(seed32 + (index + 1) · 0x9e3779b9 mod 2^32)`. Counter-based, so any position is reachable in O(1).
 * `index` must be an integer in [0, 2^31).
 */
export function splitMix32At(seed32: number, index: number): number {
  return mix32((seed32 + Math.imul(index + 1, golden)) | 0);
}

/** A seeded generator: xoshiro128** seeded by SplitMix32 (see the module comment). Not for cryptography. */
export class Rng {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;
  private spareGaussian: number | null = null;

  /** @param seed any safe integer, reduced by {@link seedToUint32}. */
  constructor(seed: number) {
    const seed32 = seedToUint32(seed);
    this.s0 = splitMix32At(seed32, 0) | 0;
    this.s1 = splitMix32At(seed32, 1) | 0;
    this.s2 = splitMix32At(seed32, 2) | 0;
    this.s3 = splitMix32At(seed32, 3) | 0;
    // xoshiro's only forbidden state; SplitMix32 is a bijection per word, so this needs four zero outputs in a row.
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1;
  }

  /** The next unsigned 32-bit integer, uniform on [0, 2^32). */
  nextUint32(): number {
    const s1 = this.s1;
    const result = Math.imul(rotl(Math.imul(s1, 5), 7), 9) >>> 0;
    const t = s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  /** A float uniform on [0, 1) with 32 random bits: `nextUint32() / 2^32`. */
  nextFloat(): number {
    return this.nextUint32() / twoPow32;
  }

  /**
   * A standard normal N(0, 1) sample by Box–Muller: with u1 = (a + 1)/2^32 ∈ (0, 1] and u2 = b/2^32 from two
   * consecutive {@link nextUint32} outputs, r = √(−2 ln u1) and the pair is (r cos 2πu2, r sin 2πu2); the sine half is
   * kept and returned by the next call.
   */
  nextGaussian(): number {
    const spare = this.spareGaussian;
    if (spare !== null) {
      this.spareGaussian = null;
      return spare;
    }
    const u1 = (this.nextUint32() + 1) / twoPow32;
    const u2 = this.nextUint32() / twoPow32;
    const r = Math.sqrt(-2 * Math.log(u1));
    const theta = 2 * Math.PI * u2;
    this.spareGaussian = r * Math.sin(theta);
    return r * Math.cos(theta);
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/** Fills `out` with N(0, 1) samples from {@link Rng.nextGaussian}, in index order, and returns it. */
export function fillGaussian<T extends Float32Array>(out: T, rng: Rng): T {
  for (let i = 0; i < out.length; i++) out[i] = rng.nextGaussian();
  return out;
}

/**
 * The standard normal quantile Φ⁻¹(p) for p in (0, 1): Acklam's rational approximation (relative error < 1.2e-9),
 * which is all `Math.log`/`Math.sqrt` arithmetic and therefore reproducible. Throws `invalid_argument` outside (0, 1).
 */
export function normalQuantile(p: number): number {
  if (!(p > 0 && p < 1)) throw invalidArgument(`normal quantile needs 0 < p < 1, got ${String(p)}`);
  const pLow = 0.02425;
  if (p < pLow) {
    const q = Math.sqrt(-2 * Math.log(p));
    return tail(q);
  }
  if (p > 1 - pLow) {
    const q = Math.sqrt(-2 * Math.log(1 - p));
    return -tail(q);
  }
  const q = p - 0.5;
  const r = q * q;
  return (
    ((((((-3.969683028665376e1 * r + 2.209460984245205e2) * r - 2.759285104469687e2) * r + 1.38357751867269e2) * r -
      3.066479806614716e1) *
      r +
      2.506628277459239) *
      q) /
    (((((-5.447609879822406e1 * r + 1.615858368580409e2) * r - 1.556989798598866e2) * r + 6.680131188771972e1) * r -
      1.328068155288572e1) *
      r +
      1)
  );
}

function tail(q: number): number {
  return (
    (((((-7.784894002430293e-3 * q - 3.223964580411365e-1) * q - 2.400758277161838) * q - 2.549732539343734) * q +
      4.374664141464968) *
      q +
      2.938163982698783) /
    ((((7.784695709041462e-3 * q + 3.224671290700398e-1) * q + 2.445134137142996) * q + 3.754408661907416) * q + 1)
  );
}
