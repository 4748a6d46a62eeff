/**
 * DDIM (Song et al. 2021) with η = 0, as diffusers' `DDIMScheduler` (clip_sample off, ε-prediction):
 * x̂₀ = (x − √(1−ᾱ_t)·ε)/√ᾱ_t, x_prev = √ᾱ_prev·x̂₀ + √(1−ᾱ_prev)·ε, where prev = t − 1000 // n (diffusers uses that
 * fixed stride whatever the spacing) and ᾱ_prev = ᾱ[0] past the start (`set_alpha_to_one: false`).
 */

import { UnscaledInputScheduler, checkIndex, outputBuffer } from './buffers';
import { alphaCumprodAt, finalAlphaCumprod, trainTimesteps } from './noiseSchedule';
import { discreteTimesteps, strengthStartIndex } from './timesteps';
import type { GaussianSource, Scheduler, TimestepSpacing } from './types';

/** DDIM, deterministic (η = 0). */
export class DdimScheduler extends UnscaledInputScheduler implements Scheduler {
  readonly name = 'ddim';
  readonly spacing: TimestepSpacing;
  readonly inferenceSteps: number;
  readonly stepCount: number;
  readonly timesteps: readonly number[];
  readonly sigmas = null;
  readonly initNoiseSigma = 1;

  constructor(steps: number, spacing: TimestepSpacing, strength: number) {
    super();
    this.spacing = spacing;
    this.inferenceSteps = steps;
    const start = strengthStartIndex(steps, strength);
    this.timesteps = Object.freeze(discreteTimesteps(spacing, steps).slice(start));
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
    const target = outputBuffer(sample.length, out, modelOutput);
    const t = this.timesteps[stepIndex]!;
    const prev = t - Math.floor(trainTimesteps / this.inferenceSteps);
    const alpha = alphaCumprodAt(t);
    const alphaPrev = prev >= 0 ? alphaCumprodAt(prev) : finalAlphaCumprod;
    // x_prev = a·x + b·ε with a = √(ᾱ_prev/ᾱ), b = √(1−ᾱ_prev) − √ᾱ_prev·√(1−ᾱ)/√ᾱ.
    const a = Math.sqrt(alphaPrev / alpha);
    const b = Math.sqrt(1 - alphaPrev) - (Math.sqrt(alphaPrev) * Math.sqrt(1 - alpha)) / Math.sqrt(alpha);
    for (let j = 0; j < target.length; j++) target[j] = a * sample[j]! + b * modelOutput[j]!;
    return target;
  }

  addNoise(original: Float32Array, noise: Float32Array, stepIndex: number, out?: Float32Array): Float32Array {
    return addNoiseVp(this.timesteps, original, noise, stepIndex, out);
  }
}

/** √ᾱ_t·x₀ + √(1−ᾱ_t)·z at `timesteps[stepIndex]`; a copy of x₀ at `stepIndex === timesteps.length`. */
export function addNoiseVp(
  timesteps: readonly number[],
  original: Float32Array,
  noise: Float32Array,
  stepIndex: number,
  out?: Float32Array,
): Float32Array {
  checkIndex(stepIndex, timesteps.length, 'noise level');
  const target = outputBuffer(original.length, out, noise);
  if (stepIndex === timesteps.length) {
    if (target !== original) target.set(original);
    return target;
  }
  const alpha = alphaCumprodAt(timesteps[stepIndex]!);
  return mixInto(target, original, noise, Math.sqrt(alpha), Math.sqrt(1 - alpha));
}

/** target = a·x + b·z, element-wise. */
export function mixInto(target: Float32Array, x: Float32Array, z: Float32Array, a: number, b: number): Float32Array {
  for (let j = 0; j < target.length; j++) target[j] = a * x[j]! + b * z[j]!;
  return target;
}
