/**
 * Latent Consistency Model sampling (Luo et al. 2023), as diffusers' `LCMScheduler` (ε-prediction,
 * `timestep_scaling` 10, σ_data 0.5, `original_inference_steps` 50). At timestep t, with
 * c_skip = 0.25/((10t)² + 0.25) and c_out = 10t/√((10t)² + 0.25):
 * x̂₀ = (x − √(1−ᾱ_t)·ε)/√ᾱ_t, denoised = c_out·x̂₀ + c_skip·x; then, except on the last step, the sample is
 * re-noised to the next timestep with fresh noise: x_next = √ᾱ_next·denoised + √(1−ᾱ_next)·z.
 */

import { UnscaledInputScheduler, checkIndex, outputBuffer, requireRng } from './buffers';
import { addNoiseVp } from './ddim';
import { alphaCumprodAt } from './noiseSchedule';
import { lcmTimesteps } from './timesteps';
import type { GaussianSource, Scheduler } from './types';

const sigmaData = 0.5;
const timestepScaling = 10;

/** LCM's boundary-condition scalings at timestep t: `{ cSkip, cOut }`. */
export function lcmScalings(timestep: number): { cSkip: number; cOut: number } {
  const scaled = timestep * timestepScaling;
  const denominator = scaled * scaled + sigmaData * sigmaData;
  return { cSkip: (sigmaData * sigmaData) / denominator, cOut: scaled / Math.sqrt(denominator) };
}

/** LCM multi-step sampling. */
export class LcmScheduler extends UnscaledInputScheduler implements Scheduler {
  readonly name = 'lcm';
  readonly spacing = null;
  readonly inferenceSteps: number;
  readonly stepCount: number;
  readonly timesteps: readonly number[];
  readonly sigmas = null;
  readonly initNoiseSigma = 1;

  constructor(steps: number, strength: number) {
    super();
    this.inferenceSteps = steps;
    this.timesteps = Object.freeze(lcmTimesteps(steps, strength));
    this.stepCount = this.timesteps.length;
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
    const t = this.timesteps[stepIndex]!;
    const alpha = alphaCumprodAt(t);
    const { cSkip, cOut } = lcmScalings(t);
    // denoised = a·x + b·ε with a = c_out/√ᾱ + c_skip, b = −c_out·√(1−ᾱ)/√ᾱ.
    const a = cOut / Math.sqrt(alpha) + cSkip;
    const b = (-cOut * Math.sqrt(1 - alpha)) / Math.sqrt(alpha);
    if (stepIndex === this.stepCount - 1) {
      for (let j = 0; j < target.length; j++) target[j] = a * sample[j]! + b * modelOutput[j]!;
      return target;
    }
    const source = requireRng(rng, this.name);
    const alphaNext = alphaCumprodAt(this.timesteps[stepIndex + 1]!);
    const keep = Math.sqrt(alphaNext);
    const noiseScale = Math.sqrt(1 - alphaNext);
    for (let j = 0; j < target.length; j++) {
      const denoised = a * sample[j]! + b * modelOutput[j]!;
      target[j] = keep * denoised + noiseScale * source.nextGaussian();
    }
    return target;
  }

  addNoise(original: Float32Array, noise: Float32Array, stepIndex: number, out?: Float32Array): Float32Array {
    return addNoiseVp(this.timesteps, original, noise, stepIndex, out);
  }
}
