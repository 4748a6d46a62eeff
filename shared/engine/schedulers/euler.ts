/**
 * Euler and Euler-ancestral (Karras et al. 2022 / k-diffusion), as diffusers' `EulerDiscreteScheduler` and
 * `EulerAncestralDiscreteScheduler` (no churn, linear σ interpolation, no Karras σ). Samples live in k-diffusion
 * space x = x₀ + σ·z, so the UNet input is x/√(σ²+1) and ε = (x − x̂₀)/σ.
 *
 * - Euler: x_next = x + ε·(σ_next − σ).
 * - Euler-a: σ_up = √(σ_next²(σ²−σ_next²)/σ²), σ_down = √(σ_next² − σ_up²); x_next = x + ε·(σ_down − σ) + σ_up·z.
 */

import { checkIndex, outputBuffer, requireRng } from './buffers';
import { sigmaAtTimestep } from './noiseSchedule';
import { eulerTimesteps, strengthStartIndex } from './timesteps';
import type { GaussianSource, Scheduler, TimestepSpacing } from './types';

/** Euler (`ancestral` false) or Euler-ancestral (`ancestral` true). */
export class EulerScheduler implements Scheduler {
  readonly name: 'euler' | 'euler-a';
  readonly spacing: TimestepSpacing;
  readonly inferenceSteps: number;
  readonly stepCount: number;
  readonly timesteps: readonly number[];
  readonly sigmas: readonly number[];
  readonly initNoiseSigma: number;
  private readonly ancestral: boolean;

  constructor(ancestral: boolean, steps: number, spacing: TimestepSpacing, strength: number) {
    this.ancestral = ancestral;
    this.name = ancestral ? 'euler-a' : 'euler';
    this.spacing = spacing;
    this.inferenceSteps = steps;
    const all = eulerTimesteps(spacing, steps);
    const allSigmas = [...all.map(sigmaAtTimestep), 0];
    const sigmaMax = Math.max(...allSigmas);
    // diffusers: σ_max for linspace / trailing, √(σ_max² + 1) for leading (whose first σ is below σ_max of t=999).
    this.initNoiseSigma = spacing === 'leading' ? Math.sqrt(sigmaMax * sigmaMax + 1) : sigmaMax;
    const start = strengthStartIndex(steps, strength);
    this.timesteps = Object.freeze(all.slice(start));
    this.sigmas = Object.freeze(allSigmas.slice(start));
    this.stepCount = this.timesteps.length;
  }

  modelInputScale(stepIndex: number): number {
    checkIndex(stepIndex, this.stepCount - 1, 'step');
    const sigma = this.sigmas[stepIndex]!;
    return 1 / Math.sqrt(sigma * sigma + 1);
  }

  scaleModelInput(sample: Float32Array, stepIndex: number, out?: Float32Array): Float32Array {
    const scale = this.modelInputScale(stepIndex);
    const target = outputBuffer(sample.length, out);
    for (let j = 0; j < target.length; j++) target[j] = sample[j]! * scale;
    return target;
  }

  step(
    modelOutput: Float32Array,
    stepIndex: number,
    sample: Float32Array,
    rng?: GaussianSource,
    out?: Float32Array,
  ): Float32Array {
    checkIndex(stepIndex, this.stepCount - 1, 'step');
    const target = outputBuffer(sample.length, out, modelOutput);
    const sigma = this.sigmas[stepIndex]!;
    const sigmaNext = this.sigmas[stepIndex + 1]!;
    if (!this.ancestral) {
      const dt = sigmaNext - sigma;
      for (let j = 0; j < target.length; j++) target[j] = sample[j]! + modelOutput[j]! * dt;
      return target;
    }
    const source = requireRng(rng, this.name);
    const sigmaUp = Math.sqrt((sigmaNext * sigmaNext * (sigma * sigma - sigmaNext * sigmaNext)) / (sigma * sigma));
    const sigmaDown = Math.sqrt(sigmaNext * sigmaNext - sigmaUp * sigmaUp);
    const dt = sigmaDown - sigma;
    for (let j = 0; j < target.length; j++) {
      target[j] = sample[j]! + modelOutput[j]! * dt + source.nextGaussian() * sigmaUp;
    }
    return target;
  }

  addNoise(original: Float32Array, noise: Float32Array, stepIndex: number, out?: Float32Array): Float32Array {
    checkIndex(stepIndex, this.stepCount, 'noise level');
    const target = outputBuffer(original.length, out, noise);
    const sigma = this.sigmas[stepIndex]!;
    for (let j = 0; j < target.length; j++) target[j] = original[j]! + noise[j]! * sigma;
    return target;
  }
}
