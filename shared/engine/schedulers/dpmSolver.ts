/**
 * DPM-Solver++ 2M (Lu et al. 2022), as diffusers' `DPMSolverMultistepScheduler` with `algorithm_type: dpmsolver++`,
 * `solver_order: 2`, `solver_type: midpoint`, `lower_order_final: true`, `final_sigmas_type: zero`, no Karras σ.
 *
 * Samples are in variance-preserving space x = α·x₀ + s·z with α = 1/√(σ²+1), s = σ·α, λ = ln(α/s) (so no input
 * scaling). Each step converts ε to the data prediction D = (x − s·ε)/α and, with h = λ_next − λ:
 * - first order (the first step and the last, whose σ_next = 0): x_next = (s_next/s)·x − α_next(e^{−h} − 1)·D;
 * - second order otherwise: r = h_prev/h, D' = D + (D − D_prev)/(2r), x_next = (s_next/s)·x − α_next(e^{−h} − 1)·D'.
 * diffusers makes the final step first order whenever it lands on σ = 0 (and below 15 steps in any case), which is
 * what `lower_order_final` asks for.
 */

import { IirError } from '../../errors';
import { UnscaledInputScheduler, checkIndex, outputBuffer } from './buffers';
import { sigmaAtTimestep } from './noiseSchedule';
import { dpmSolverTimesteps, strengthStartIndex } from './timesteps';
import type { GaussianSource, Scheduler, TimestepSpacing } from './types';

interface VpCoefficients {
  readonly alpha: number;
  readonly sigma: number;
  readonly lambda: number;
}

function vp(sigma: number): VpCoefficients {
  const alpha = 1 / Math.sqrt(sigma * sigma + 1);
  const s = sigma * alpha;
  return { alpha, sigma: s, lambda: Math.log(alpha) - Math.log(s) };
}

/** DPM++ 2M; keeps the previous step's data prediction, so steps must run in order. */
export class DpmSolverMultistepScheduler extends UnscaledInputScheduler implements Scheduler {
  readonly name = 'dpmpp-2m';
  readonly spacing: TimestepSpacing;
  readonly inferenceSteps: number;
  readonly stepCount: number;
  readonly timesteps: readonly number[];
  readonly sigmas: readonly number[];
  readonly initNoiseSigma = 1;
  private previousDenoised: Float32Array | null = null;
  private spareDenoised: Float32Array | null = null;
  private nextStepIndex = 0;

  constructor(steps: number, spacing: TimestepSpacing, strength: number) {
    super();
    this.spacing = spacing;
    this.inferenceSteps = steps;
    const all = dpmSolverTimesteps(spacing, steps);
    const start = strengthStartIndex(steps, strength);
    this.timesteps = Object.freeze(all.slice(start));
    this.sigmas = Object.freeze([...this.timesteps.map(sigmaAtTimestep), 0]);
    this.stepCount = this.timesteps.length;
  }

  step(
    modelOutput: Float32Array,
    stepIndex: number,
    sample: Float32Array,
    _rng?: GaussianSource,
    out?: Float32Array,
  ): Float32Array {
    checkIndex(stepIndex, this.stepCount - 1, 'step');
    if (stepIndex === 0) this.previousDenoised = null;
    else if (stepIndex !== this.nextStepIndex) {
      throw new IirError(
        'internal',
        `dpmpp-2m steps must run in order: expected step ${this.nextStepIndex}, got ${stepIndex}`,
      );
    }
    const target = outputBuffer(sample.length, out, modelOutput);
    const now = vp(this.sigmas[stepIndex]!);
    const next = vp(this.sigmas[stepIndex + 1]!);

    let denoised = this.spareDenoised;
    if (denoised?.length !== sample.length) denoised = new Float32Array(sample.length);
    const invAlpha = 1 / now.alpha;
    for (let j = 0; j < denoised.length; j++) denoised[j] = (sample[j]! - now.sigma * modelOutput[j]!) * invAlpha;

    const h = next.lambda - now.lambda;
    const ratio = next.sigma / now.sigma;
    const dataCoefficient = -next.alpha * Math.expm1(-h);
    const previous = this.previousDenoised;
    const isLast = stepIndex === this.stepCount - 1;
    const firstOrder = previous === null || isLast;
    if (firstOrder) {
      for (let j = 0; j < target.length; j++) target[j] = ratio * sample[j]! + dataCoefficient * denoised[j]!;
    } else {
      const before = vp(this.sigmas[stepIndex - 1]!);
      const r = (now.lambda - before.lambda) / h;
      const correction = 0.5 / r;
      for (let j = 0; j < target.length; j++) {
        const d = denoised[j]!;
        target[j] = ratio * sample[j]! + dataCoefficient * (d + correction * (d - previous[j]!));
      }
    }
    this.spareDenoised = previous;
    this.previousDenoised = denoised;
    this.nextStepIndex = stepIndex + 1;
    return target;
  }

  addNoise(original: Float32Array, noise: Float32Array, stepIndex: number, out?: Float32Array): Float32Array {
    checkIndex(stepIndex, this.stepCount, 'noise level');
    const target = outputBuffer(original.length, out, noise);
    const { alpha, sigma } = vp(this.sigmas[stepIndex]!);
    for (let j = 0; j < target.length; j++) target[j] = alpha * original[j]! + sigma * noise[j]!;
    return target;
  }
}
