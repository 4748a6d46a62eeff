import { describe, expect, it } from 'vitest';
import { createScheduler, defaultSpacing, schedulerNames, spacingNames } from '../../../../shared/engine/schedulers';
import { alphasCumprod, sigmaAtTimestep } from '../../../../shared/engine/schedulers/noiseSchedule';
import { alphaBar, referenceAlphas, sigmaAt } from './reference';

const leading20 = Array.from({ length: 20 }, (_, i) => 951 - 50 * i);
const trailing20 = Array.from({ length: 20 }, (_, i) => 999 - 50 * i);
// np.linspace(0, 999, 20).round()[::-1]
const linspace20 = [999, 946, 894, 841, 789, 736, 684, 631, 578, 526, 473, 421, 368, 315, 263, 210, 158, 105, 53, 0];

describe('noise schedule (SD1.5)', () => {
  it('has the reference ᾱ values', () => {
    expect(alphasCumprod[0]).toBeCloseTo(0.99915, 8);
    expect(alphasCumprod[500]).toBeCloseTo(0.276333, 6);
    expect(alphasCumprod[999]).toBeCloseTo(0.0046601, 7);
    for (const t of [0, 1, 250, 500, 750, 998, 999]) expect(alphasCumprod[t]).toBeCloseTo(alphaBar(t), 12);
    expect(alphasCumprod.length).toBe(referenceAlphas.length);
  });

  it('gives σ = √((1−ᾱ)/ᾱ), interpolated linearly between timesteps', () => {
    expect(sigmaAtTimestep(999)).toBeCloseTo(14.614641, 5);
    expect(sigmaAtTimestep(0)).toBeCloseTo(0.0291675, 6);
    expect(sigmaAtTimestep(500)).toBeCloseTo(Math.sqrt((1 - 0.2763327) / 0.2763327), 5);
    const between = sigmaAtTimestep(946.25);
    expect(between).toBeCloseTo(0.75 * sigmaAt(946) + 0.25 * sigmaAt(947), 10);
    expect(between).toBeGreaterThan(sigmaAt(946));
    expect(between).toBeLessThan(sigmaAt(947));
  });
});

describe('timesteps', () => {
  it('DDIM: leading 951…1, trailing 999…49, linspace 999, 946, 894, …, 53, 0 for 20 steps', () => {
    expect(createScheduler('ddim', { steps: 20 }).timesteps).toEqual(leading20);
    expect(createScheduler('ddim', { steps: 20, spacing: 'leading' }).timesteps).toEqual(leading20);
    expect(createScheduler('ddim', { steps: 20, spacing: 'trailing' }).timesteps).toEqual(trailing20);
    expect(createScheduler('ddim', { steps: 20, spacing: 'linspace' }).timesteps).toEqual(linspace20);
  });

  it('rounds halves to even as NumPy does (linspace(0, 999, 7) has 166.5, 499.5, 832.5)', () => {
    expect(createScheduler('ddim', { steps: 7, spacing: 'linspace' }).timesteps).toEqual([
      999, 832, 666, 500, 333, 166, 0,
    ]);
  });

  it('Euler keeps the unrounded float32 linspace timesteps and σ at them, then 0', () => {
    for (const name of ['euler', 'euler-a'] as const) {
      const scheduler = createScheduler(name, { steps: 20 });
      expect(scheduler.spacing).toBe('linspace');
      expect(scheduler.timesteps.map(Math.round)).toEqual(linspace20);
      scheduler.timesteps.forEach((t, i) => {
        expect(t).toBeCloseTo(999 - (999 * i) / 19, 4);
        expect(t).toBe(Math.fround(t));
      });
      expect(scheduler.timesteps[1]).toBeCloseTo(946.42105, 4);
      const sigmas = scheduler.sigmas!;
      expect(sigmas).toHaveLength(21);
      expect(sigmas[0]).toBeCloseTo(14.614641, 5);
      expect(sigmas[1]).toBeCloseTo(sigmaAt(scheduler.timesteps[1]!), 9);
      expect(sigmas[1]).toBeCloseTo(10.746846, 4);
      expect(sigmas[19]).toBeCloseTo(sigmaAt(0), 9);
      expect(sigmas[20]).toBe(0);
      expect(createScheduler(name, { steps: 20, spacing: 'leading' }).timesteps).toEqual(leading20);
      expect(createScheduler(name, { steps: 20, spacing: 'trailing' }).timesteps).toEqual(trailing20);
    }
  });

  it('Euler initial noise σ is σ_max, or √(σ_max² + 1) with leading spacing', () => {
    expect(createScheduler('euler', { steps: 20 }).initNoiseSigma).toBeCloseTo(sigmaAt(999), 9);
    expect(createScheduler('euler', { steps: 20, spacing: 'trailing' }).initNoiseSigma).toBeCloseTo(sigmaAt(999), 9);
    const leading = createScheduler('euler', { steps: 20, spacing: 'leading' });
    expect(leading.initNoiseSigma).toBeCloseTo(Math.sqrt(sigmaAt(951) ** 2 + 1), 9);
    for (const name of ['ddim', 'dpmpp-2m', 'lcm'] as const) {
      expect(createScheduler(name, { steps: 4 }).initNoiseSigma).toBe(1);
    }
  });

  it('DPM++ 2M spaces n + 1 points and drops the last, as diffusers', () => {
    const linspace = createScheduler('dpmpp-2m', { steps: 20 });
    // np.linspace(0, 999, 21).round()[::-1][:-1]
    expect(linspace.timesteps).toEqual([
      999, 949, 899, 849, 799, 749, 699, 649, 599, 549, 500, 450, 400, 350, 300, 250, 200, 150, 100, 50,
    ]);
    expect(linspace.sigmas).toHaveLength(21);
    expect(linspace.sigmas![10]).toBeCloseTo(sigmaAt(500), 10);
    expect(linspace.sigmas![20]).toBe(0);
    // leading: arange(21)·(1000 // 21 = 47), reversed, last dropped, + 1
    expect(createScheduler('dpmpp-2m', { steps: 20, spacing: 'leading' }).timesteps).toEqual(
      Array.from({ length: 20 }, (_, i) => (20 - i) * 47 + 1),
    );
    expect(createScheduler('dpmpp-2m', { steps: 20, spacing: 'trailing' }).timesteps).toEqual(trailing20);
  });

  it('LCM picks from its 50 original timesteps: 4 steps → 999, 759, 499, 259', () => {
    const lcm = createScheduler('lcm', { steps: 4 });
    expect(lcm.timesteps).toEqual([999, 759, 499, 259]);
    expect(lcm.spacing).toBeNull();
    expect(lcm.sigmas).toBeNull();
    // original 19, 39, …, 999 reversed; picks floor(i · 50/8)
    expect(createScheduler('lcm', { steps: 8 }).timesteps).toEqual([999, 879, 759, 639, 499, 379, 259, 139]);
    expect(createScheduler('lcm', { steps: 1 }).timesteps).toEqual([999]);
    // strength 0.5 keeps the first 25 original timesteps (19 … 499)
    expect(createScheduler('lcm', { steps: 4, strength: 0.5 }).timesteps).toEqual([499, 379, 259, 139]);
  });

  it('uses the documented default spacing per scheduler', () => {
    for (const name of schedulerNames) {
      expect(createScheduler(name, { steps: 4 }).spacing).toBe(defaultSpacing[name]);
    }
    expect(spacingNames).toEqual(['leading', 'trailing', 'linspace']);
  });
});

describe('img2img strength', () => {
  it('runs the last ⌊n·s⌋ timesteps', () => {
    const ddim = createScheduler('ddim', { steps: 20, strength: 0.3 });
    expect(ddim.stepCount).toBe(6);
    expect(ddim.inferenceSteps).toBe(20);
    expect(ddim.timesteps).toEqual(leading20.slice(14));
    // 10 · 0.7 = 7.000000000000001 → 7, and 20 · 0.75 = 15
    expect(createScheduler('ddim', { steps: 10, strength: 0.7 }).stepCount).toBe(7);
    const euler = createScheduler('euler', { steps: 20, strength: 0.75 });
    const full = createScheduler('euler', { steps: 20 });
    expect(euler.timesteps).toEqual(full.timesteps.slice(5));
    expect(euler.sigmas).toEqual(full.sigmas!.slice(5));
    // The initial noise of a text-to-image run does not depend on strength.
    expect(euler.initNoiseSigma).toBe(full.initNoiseSigma);
    const dpm = createScheduler('dpmpp-2m', { steps: 20, strength: 0.5 });
    expect(dpm.timesteps).toEqual(createScheduler('dpmpp-2m', { steps: 20 }).timesteps.slice(10));
    expect(dpm.sigmas![10]).toBe(0);
  });

  it('strength 1 runs everything', () => {
    for (const name of schedulerNames) expect(createScheduler(name, { steps: 4, strength: 1 }).stepCount).toBe(4);
  });
});

describe('createScheduler refuses bad input with one line', () => {
  const cases: [string, Parameters<typeof createScheduler>[1], RegExp][] = [
    ['plms', { steps: 20 }, /unknown scheduler "plms"; choose one of ddim, euler, euler-a, dpmpp-2m, lcm/],
    ['ddim', { steps: 0 }, /steps must be a whole number from 1 to 1000/],
    ['ddim', { steps: 2.5 }, /steps must be a whole number/],
    ['ddim', { steps: 20, strength: 0 }, /strength must be in \(0, 1\]/],
    ['ddim', { steps: 20, strength: 1.5 }, /strength must be in/],
    ['ddim', { steps: 4, strength: 0.2 }, /leaves no step to run/],
    ['lcm', { steps: 4, spacing: 'trailing' }, /lcm picks its own timesteps/],
    ['lcm', { steps: 60 }, /lcm runs at most 50 steps/],
    ['lcm', { steps: 8, strength: 0.1 }, /lcm runs at most 5 steps at strength 0.1/],
    ['euler', { steps: 20, spacing: 'karras' as never }, /unknown spacing "karras"/],
  ];
  it.each(cases)('%s %o', (name, options, message) => {
    let caught: unknown;
    try {
      createScheduler(name, options);
    } catch (error) {
      caught = error;
    }
    expect(caught).toMatchObject({ name: 'IirError', code: 'invalid_argument' });
    expect((caught as Error).message).toMatch(message);
    expect((caught as Error).message).not.toContain('\n');
  });
});
