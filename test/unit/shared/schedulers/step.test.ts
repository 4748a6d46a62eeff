import { describe, expect, it } from 'vitest';
import { createScheduler, schedulerNames, type Scheduler } from '../../../../shared/engine/schedulers';
import { lcmScalings } from '../../../../shared/engine/schedulers/lcm';
import { Rng } from '../../../../shared/image/random';
import {
  alphaBar,
  epsilonValues,
  f32,
  maxAbsDiff,
  noiseValues,
  ReplaySource,
  sampleValues,
  sigmaAt,
} from './reference';

const x = sampleValues;
const eps = epsilonValues;
const z = noiseValues;
const tolerance = 2e-6;

/** Expected values, element-wise, from a formula in plain numbers. */
function expected(formula: (xj: number, ej: number, zj: number) => number): number[] {
  return x.map((xj, j) => formula(xj, eps[j]!, z[j]!));
}

describe('one step of each scheduler on known tensors', () => {
  it('DDIM (η = 0), prev = t − 1000 // n, ᾱ[0] past the start', () => {
    const ddim = createScheduler('ddim', { steps: 20 });
    const a = alphaBar(951);
    const aPrev = alphaBar(901);
    const want = expected((xj, ej) => {
      const x0 = (xj - Math.sqrt(1 - a) * ej) / Math.sqrt(a);
      return Math.sqrt(aPrev) * x0 + Math.sqrt(1 - aPrev) * ej;
    });
    expect(maxAbsDiff(ddim.step(f32(eps), 0, f32(x)), want)).toBeLessThan(tolerance);
    // Last step: t = 1, prev = −49 → ᾱ_prev = ᾱ[0] (set_alpha_to_one false).
    const a1 = alphaBar(1);
    const a0 = alphaBar(0);
    const wantLast = expected((xj, ej) => {
      const x0 = (xj - Math.sqrt(1 - a1) * ej) / Math.sqrt(a1);
      return Math.sqrt(a0) * x0 + Math.sqrt(1 - a0) * ej;
    });
    expect(maxAbsDiff(ddim.step(f32(eps), 19, f32(x)), wantLast)).toBeLessThan(tolerance);
    // Linspace keeps diffusers' fixed stride: from 946 to 896, not to the next listed timestep 894.
    const linspace = createScheduler('ddim', { steps: 20, spacing: 'linspace' });
    const b = alphaBar(946);
    const bPrev = alphaBar(896);
    const wantLinspace = expected((xj, ej) => {
      const x0 = (xj - Math.sqrt(1 - b) * ej) / Math.sqrt(b);
      return Math.sqrt(bPrev) * x0 + Math.sqrt(1 - bPrev) * ej;
    });
    expect(maxAbsDiff(linspace.step(f32(eps), 1, f32(x)), wantLinspace)).toBeLessThan(tolerance);
  });

  it('Euler: x + ε·(σ_next − σ), model input x/√(σ²+1)', () => {
    const euler = createScheduler('euler', { steps: 20 });
    const t0 = 999;
    const t1 = 999 - 999 / 19;
    const s0 = sigmaAt(t0);
    const s1 = sigmaAt(t1);
    expect(
      maxAbsDiff(
        euler.step(f32(eps), 0, f32(x)),
        expected((xj, ej) => xj + ej * (s1 - s0)),
      ),
    ).toBeLessThan(2e-5);
    expect(
      maxAbsDiff(
        euler.scaleModelInput(f32(x), 0),
        expected((xj) => xj / Math.sqrt(s0 * s0 + 1)),
      ),
    ).toBeLessThan(tolerance);
    expect(euler.modelInputScale(0)).toBeCloseTo(1 / Math.sqrt(s0 * s0 + 1), 12);
    // The last step lands on σ = 0: x − σ·ε, the denoised estimate.
    const sLast = sigmaAt(0);
    expect(
      maxAbsDiff(
        euler.step(f32(eps), 19, f32(x)),
        expected((xj, ej) => xj - sLast * ej),
      ),
    ).toBeLessThan(tolerance);
  });

  it('Euler-ancestral: step to σ_down, add σ_up·z', () => {
    const eulerA = createScheduler('euler-a', { steps: 20, spacing: 'leading' });
    const s = sigmaAt(951);
    const sNext = sigmaAt(901);
    const up = Math.sqrt((sNext ** 2 * (s ** 2 - sNext ** 2)) / s ** 2);
    const down = Math.sqrt(sNext ** 2 - up ** 2);
    const want = expected((xj, ej, zj) => xj + ej * (down - s) + up * zj);
    expect(maxAbsDiff(eulerA.step(f32(eps), 0, f32(x), new ReplaySource(z)), want)).toBeLessThan(tolerance);
    expect(() => eulerA.step(f32(eps), 0, f32(x))).toThrow(/Gaussian source/);
  });

  it('DPM++ 2M: first order, then the midpoint update using the previous data prediction', () => {
    const dpm = createScheduler('dpmpp-2m', { steps: 20 });
    const vp = (sigma: number) => {
      const alpha = 1 / Math.sqrt(sigma * sigma + 1);
      return { alpha, s: sigma * alpha, lambda: Math.log(alpha) - Math.log(sigma * alpha) };
    };
    const p0 = vp(sigmaAt(999));
    const p1 = vp(sigmaAt(949));
    const p2 = vp(sigmaAt(899));
    const d0 = x.map((xj, j) => (xj - p0.s * eps[j]!) / p0.alpha);
    const h1 = p1.lambda - p0.lambda;
    const want1 = x.map((xj, j) => (p1.s / p0.s) * xj - p1.alpha * (Math.exp(-h1) - 1) * d0[j]!);
    const x1 = dpm.step(f32(eps), 0, f32(x));
    expect(maxAbsDiff(x1, want1)).toBeLessThan(tolerance);

    // Second step, ε = z: D1 = (m0 − m1)/r0 with r0 = h_prev/h, x = (s2/s1)x − α2(e^{−h}−1)(D0 + D1/2).
    const m1 = Array.from(x1, (xj, j) => (xj - p1.s * z[j]!) / p1.alpha);
    const h2 = p2.lambda - p1.lambda;
    const r0 = h1 / h2;
    const want2 = Array.from(x1, (xj, j) => {
      const dPrime = (1 / r0) * (m1[j]! - d0[j]!);
      return (
        (p2.s / p1.s) * xj - p2.alpha * (Math.exp(-h2) - 1) * m1[j]! - 0.5 * p2.alpha * (Math.exp(-h2) - 1) * dPrime
      );
    });
    const x2 = dpm.step(f32(z), 1, x1);
    expect(maxAbsDiff(x2, want2)).toBeLessThan(tolerance);

    // Without the history (a fresh run stepped at index 1 directly) it refuses rather than silently going first order.
    const fresh = createScheduler('dpmpp-2m', { steps: 20 });
    expect(() => fresh.step(f32(z), 1, f32(x))).toThrow(/in order/);
    // The history matters: a different first step changes the second step's result.
    const other = createScheduler('dpmpp-2m', { steps: 20 });
    other.step(f32(z), 0, f32(x));
    expect(maxAbsDiff(other.step(f32(z), 1, x1), want2)).toBeGreaterThan(1e-3);
  });

  it('DPM++ 2M ends with a first-order step onto σ = 0 (the data prediction)', () => {
    const dpm = createScheduler('dpmpp-2m', { steps: 3 });
    let sample = f32(x);
    for (let i = 0; i < 2; i++) sample = dpm.step(f32(eps), i, sample);
    const last = dpm.timesteps[2]!;
    const sigma = sigmaAt(last);
    const alpha = 1 / Math.sqrt(sigma * sigma + 1);
    const want = Array.from(sample, (xj, j) => (xj - sigma * alpha * eps[j]!) / alpha);
    expect(maxAbsDiff(dpm.step(f32(eps), 2, sample), want)).toBeLessThan(tolerance);
  });

  it('LCM: c_skip/c_out boundary condition, re-noised to the next timestep except at the end', () => {
    const lcm = createScheduler('lcm', { steps: 4 });
    const t = 999;
    const cSkip = 0.25 / ((10 * t) ** 2 + 0.25);
    const cOut = (10 * t) / Math.sqrt((10 * t) ** 2 + 0.25);
    expect(lcmScalings(t).cSkip).toBeCloseTo(cSkip, 15);
    expect(lcmScalings(t).cOut).toBeCloseTo(cOut, 15);
    const a = alphaBar(t);
    const aNext = alphaBar(759);
    const denoised = (xj: number, ej: number) => cOut * ((xj - Math.sqrt(1 - a) * ej) / Math.sqrt(a)) + cSkip * xj;
    const want = expected((xj, ej, zj) => Math.sqrt(aNext) * denoised(xj, ej) + Math.sqrt(1 - aNext) * zj);
    expect(maxAbsDiff(lcm.step(f32(eps), 0, f32(x), new ReplaySource(z)), want)).toBeLessThan(tolerance);

    const tLast = 259;
    const aLast = alphaBar(tLast);
    const skipLast = 0.25 / ((10 * tLast) ** 2 + 0.25);
    const outLast = (10 * tLast) / Math.sqrt((10 * tLast) ** 2 + 0.25);
    const wantLast = expected(
      (xj, ej) => outLast * ((xj - Math.sqrt(1 - aLast) * ej) / Math.sqrt(aLast)) + skipLast * xj,
    );
    // The last step draws no noise, so it needs no source.
    expect(maxAbsDiff(lcm.step(f32(eps), 3, f32(x)), wantLast)).toBeLessThan(tolerance);
    expect(() => lcm.step(f32(eps), 0, f32(x))).toThrow(/Gaussian source/);
  });
});

describe('addNoise', () => {
  it('noises to the level entering each step, and returns the original at the end', () => {
    const ddim = createScheduler('ddim', { steps: 20, strength: 0.5 });
    const a = alphaBar(ddim.timesteps[0]!);
    expect(ddim.timesteps[0]).toBe(451);
    const want = expected((xj, _e, zj) => Math.sqrt(a) * xj + Math.sqrt(1 - a) * zj);
    expect(maxAbsDiff(ddim.addNoise(f32(x), f32(z), 0), want)).toBeLessThan(tolerance);
    expect(Array.from(ddim.addNoise(f32(x), f32(z), ddim.stepCount))).toEqual(Array.from(f32(x)));

    const euler = createScheduler('euler', { steps: 20, strength: 0.5 });
    const sigma = euler.sigmas![3]!;
    expect(sigma).toBeCloseTo(sigmaAt(euler.timesteps[3]!), 9);
    expect(
      maxAbsDiff(
        euler.addNoise(f32(x), f32(z), 3),
        expected((xj, _e, zj) => xj + sigma * zj),
      ),
    ).toBeLessThan(tolerance);
    expect(Array.from(euler.addNoise(f32(x), f32(z), euler.stepCount))).toEqual(Array.from(f32(x)));

    const dpm = createScheduler('dpmpp-2m', { steps: 20 });
    const b = alphaBar(dpm.timesteps[5]!);
    const wantDpm = expected((xj, _e, zj) => Math.sqrt(b) * xj + Math.sqrt(1 - b) * zj);
    expect(maxAbsDiff(dpm.addNoise(f32(x), f32(z), 5), wantDpm)).toBeLessThan(tolerance);

    const lcm = createScheduler('lcm', { steps: 4 });
    const c = alphaBar(499);
    const wantLcm = expected((xj, _e, zj) => Math.sqrt(c) * xj + Math.sqrt(1 - c) * zj);
    expect(maxAbsDiff(lcm.addNoise(f32(x), f32(z), 2), wantLcm)).toBeLessThan(tolerance);

    expect(() => lcm.addNoise(f32(x), f32(z), 5)).toThrow(/outside 0…4/);
  });
});

describe('buffers', () => {
  it('steps in place and into a given buffer exactly as into a new one', () => {
    for (const name of schedulerNames) {
      const fresh = (): Scheduler => createScheduler(name, { steps: 4 });
      const a = fresh().step(f32(eps), 0, f32(x), new ReplaySource(z));
      const inPlace = f32(x);
      const returned = fresh().step(f32(eps), 0, inPlace, new ReplaySource(z), inPlace);
      expect(returned).toBe(inPlace);
      expect(Array.from(inPlace)).toEqual(Array.from(a));
      const out = new Float32Array(x.length);
      expect(fresh().step(f32(eps), 0, f32(x), new ReplaySource(z), out)).toBe(out);
      expect(Array.from(out)).toEqual(Array.from(a));
      const scaled = f32(x);
      expect(fresh().scaleModelInput(scaled, 0, scaled)).toBe(scaled);
    }
  });

  it('refuses tensors of different sizes', () => {
    const ddim = createScheduler('ddim', { steps: 4 });
    expect(() => ddim.step(new Float32Array(3), 0, new Float32Array(4))).toThrow(/differ in size/);
    expect(() => ddim.step(new Float32Array(4), 0, new Float32Array(4), undefined, new Float32Array(2))).toThrow(
      /output buffer/,
    );
    expect(() => ddim.step(new Float32Array(4), 4, new Float32Array(4))).toThrow(/outside/);
  });
});

describe('stochastic samplers', () => {
  it('Euler-a is deterministic for a seed, differs across seeds, and differs from Euler', () => {
    const run = (name: 'euler' | 'euler-a', seed: number): Float32Array => {
      const scheduler = createScheduler(name, { steps: 6 });
      const rng = new Rng(seed);
      const latents = new Float32Array(64).map(() => rng.nextGaussian() * scheduler.initNoiseSigma);
      for (let i = 0; i < scheduler.stepCount; i++) {
        const input = scheduler.scaleModelInput(latents, i);
        // A stand-in ε model: any fixed function of its inputs.
        const epsilon = input.map((v, j) => Math.tanh(v) * 0.5 + 0.01 * (j % 7));
        scheduler.step(epsilon, i, latents, rng, latents);
      }
      return latents;
    };
    const first = run('euler-a', 42);
    expect(Array.from(run('euler-a', 42))).toEqual(Array.from(first));
    expect(maxAbsDiff(run('euler-a', 43), first)).toBeGreaterThan(0.01);
    expect(maxAbsDiff(run('euler', 42), first)).toBeGreaterThan(0.01);
  });
});

describe('a full run with a perfect ε model recovers the clean latents', () => {
  // x₀ fixed; the model knows it, so ε̂ = (x_vp − √ᾱ·x₀)/√(1−ᾱ) with ᾱ = 1/(σ(t)² + 1) at the timestep it is given.
  const clean = Float32Array.from({ length: 32 }, (_, j) => Math.sin(j * 0.7) * 0.8);
  const oracle = (modelInput: Float32Array, timestep: number): Float32Array => {
    const sigma = sigmaAt(timestep);
    const alphaBarT = 1 / (sigma * sigma + 1);
    return modelInput.map((v, j) => (v - Math.sqrt(alphaBarT) * clean[j]!) / Math.sqrt(1 - alphaBarT));
  };
  const cases: [string, number][] = [
    ['ddim', 20],
    ['euler', 20],
    ['euler-a', 20],
    ['dpmpp-2m', 20],
    ['dpmpp-2m', 8],
    ['lcm', 4],
  ];
  it.each(cases)('%s, %i steps', (name, steps) => {
    const scheduler = createScheduler(name, { steps });
    const rng = new Rng(7);
    let latents: Float32Array = new Float32Array(clean.length).map(() => rng.nextGaussian() * scheduler.initNoiseSigma);
    let epsilon: Float32Array = new Float32Array(clean.length);
    for (let i = 0; i < scheduler.stepCount; i++) {
      epsilon = oracle(scheduler.scaleModelInput(latents, i), scheduler.timesteps[i]!);
      latents = scheduler.step(epsilon, i, latents, rng);
    }
    if (name === 'ddim') {
      // DDIM stops at ᾱ[0] = 0.99915 (set_alpha_to_one false), keeping the noise direction it has followed.
      const a0 = alphaBar(0);
      const want = Array.from(clean, (c, j) => Math.sqrt(a0) * c + Math.sqrt(1 - a0) * epsilon[j]!);
      expect(maxAbsDiff(latents, want)).toBeLessThan(1e-4);
      expect(maxAbsDiff(latents, clean)).toBeGreaterThan(1e-3);
    } else {
      // The σ-based samplers end on σ = 0 and LCM's last step returns its denoised estimate.
      expect(maxAbsDiff(latents, clean)).toBeLessThan(1e-4);
    }
  });

  it('img2img from addNoise at strength 0.5 also lands on the clean latents', () => {
    for (const name of ['euler', 'dpmpp-2m', 'lcm'] as const) {
      const scheduler = createScheduler(name, { steps: 10, strength: 0.5 });
      const rng = new Rng(11);
      const noise = new Float32Array(clean.length).map(() => rng.nextGaussian());
      let latents = scheduler.addNoise(clean, noise, 0);
      for (let i = 0; i < scheduler.stepCount; i++) {
        latents = scheduler.step(
          oracle(scheduler.scaleModelInput(latents, i), scheduler.timesteps[i]!),
          i,
          latents,
          rng,
        );
      }
      expect(maxAbsDiff(latents, clean)).toBeLessThan(1e-4);
    }
  });
});
