import { describe, expect, it } from 'vitest';
import { Rng, fillGaussian, mix32, normalQuantile, seedToUint32, splitMix32At } from '../../../../shared/image/random';

describe('random', () => {
  it('reproduces xoshiro128** seeded by SplitMix32 (golden values checked against the C reference)', () => {
    const rng = new Rng(42);
    expect([0, 1, 2, 3, 4].map(() => rng.nextUint32())).toEqual([
      660444221, 3652823732, 77672526, 910233633, 2297337756,
    ]);
    const zero = new Rng(0);
    expect([0, 1, 2].map(() => zero.nextUint32())).toEqual([1789933344, 44971166, 2521387044]);
  });

  it('uses the lowbias32 mixer and a counter-based SplitMix32 stream', () => {
    expect(mix32(0)).toBe(0);
    expect(mix32(1)).toBe(2261973619);
    expect([0, 1, 2].map((i) => splitMix32At(0, i))).toEqual([1684164658, 3653269916, 2939563536]);
  });

  it('gives golden floats and Box–Muller gaussians, bit for bit', () => {
    const floats = new Rng(42);
    expect([0, 1, 2].map(() => floats.nextFloat())).toEqual([
      0.15377165307290852, 0.8504893006756902, 0.018084544222801924,
    ]);
    const gauss = new Rng(7);
    expect([0, 1, 2, 3].map(() => gauss.nextGaussian())).toEqual([
      1.242681309983565, 2.1183062962060717, 0.3642670917553239, -0.11298927776076423,
    ]);
  });

  it('same seed → same stream, different seed → different stream', () => {
    const a = fillGaussian(new Float32Array(1000), new Rng(123));
    const b = fillGaussian(new Float32Array(1000), new Rng(123));
    const c = fillGaussian(new Float32Array(1000), new Rng(124));
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
  });

  it('produces standard normal and uniform statistics', () => {
    const rng = new Rng(2024);
    const samples = fillGaussian(new Float32Array(200_000), rng);
    let sum = 0;
    let sumSquares = 0;
    for (const v of samples) {
      sum += v;
      sumSquares += v * v;
    }
    const mean = sum / samples.length;
    expect(Math.abs(mean)).toBeLessThan(0.01);
    expect(Math.sqrt(sumSquares / samples.length - mean * mean)).toBeCloseTo(1, 2);
    let floatSum = 0;
    let below = 0;
    let outOfRange = 0;
    for (let i = 0; i < 100_000; i++) {
      const f = rng.nextFloat();
      if (!(f >= 0 && f < 1)) outOfRange++;
      floatSum += f;
      if (f < 0.25) below++;
    }
    expect(outOfRange).toBe(0);
    expect(floatSum / 100_000).toBeCloseTo(0.5, 2);
    expect(below / 100_000).toBeCloseTo(0.25, 2);
  });

  it('reduces any safe integer seed to 32 bits and rejects the rest', () => {
    expect(seedToUint32(0)).toBe(0);
    expect(seedToUint32(4294967295)).toBe(4294967295);
    expect(seedToUint32(-1)).not.toBe(4294967295);
    expect(seedToUint32(-1)).toBe(344843125);
    expect(seedToUint32(2 ** 32)).not.toBe(0);
    const big = seedToUint32(Number.MAX_SAFE_INTEGER);
    expect(Number.isInteger(big) && big >= 0 && big < 2 ** 32).toBe(true);
    expect(() => seedToUint32(1.5)).toThrow(/seed must be a safe integer/);
    expect(() => seedToUint32(2 ** 53)).toThrow(/seed/);
    expect(() => new Rng(Number.NaN)).toThrow(/seed/);
  });

  it('computes normal quantiles', () => {
    expect(normalQuantile(0.5)).toBe(0);
    expect(normalQuantile(0.975)).toBeCloseTo(1.959964, 5);
    expect(normalQuantile(0.001)).toBeCloseTo(-3.090232, 5);
    expect(normalQuantile(0.999)).toBeCloseTo(3.090232, 5);
    expect(() => normalQuantile(0)).toThrow(/0 < p < 1/);
  });
});
