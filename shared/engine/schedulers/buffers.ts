/** Buffer checks shared by the schedulers: every tensor of a step has the sample's length. */

import { IirError } from '../../errors';

/** Returns `out`, or a new array of `length`, after checking that every given tensor has `length` elements. */
export function outputBuffer(length: number, out: Float32Array | undefined, ...inputs: Float32Array[]): Float32Array {
  for (const input of inputs) {
    if (input.length !== length) {
      throw new IirError('internal', `scheduler tensors differ in size (${input.length} vs ${length} elements)`);
    }
  }
  if (out === undefined) return new Float32Array(length);
  if (out.length !== length) {
    throw new IirError('internal', `scheduler output buffer has ${out.length} elements, needs ${length}`);
  }
  return out;
}

/** Throws unless `stepIndex` is a whole number in [0, limit]. */
export function checkIndex(stepIndex: number, limit: number, what: string): void {
  if (!Number.isInteger(stepIndex) || stepIndex < 0 || stepIndex > limit) {
    throw new IirError('internal', `${what} index ${stepIndex} is outside 0…${limit}`);
  }
}

/** Throws unless a Gaussian source was given to a stochastic sampler. */
export function requireRng<T>(rng: T | undefined, scheduler: string): T {
  if (rng === undefined) throw new IirError('internal', `${scheduler} needs a seeded Gaussian source for step()`);
  return rng;
}

/**
 * Base of the schedulers that work in ᾱ space (DDIM, DPM++ 2M, LCM): the model's input is the sample itself, so
 * `modelInputScale` is 1 and `scaleModelInput` is a copy (or nothing, in place). σ-space schedulers scale instead.
 */
export abstract class UnscaledInputScheduler {
  abstract readonly stepCount: number;

  /** Always 1 (see the class comment). */
  modelInputScale(stepIndex: number): number {
    checkIndex(stepIndex, this.stepCount - 1, 'step');
    return 1;
  }

  /** `sample` copied into `out` (nothing to do when `out` is `sample`). */
  scaleModelInput(sample: Float32Array, stepIndex: number, out?: Float32Array): Float32Array {
    checkIndex(stepIndex, this.stepCount - 1, 'step');
    const target = outputBuffer(sample.length, out);
    if (target !== sample) target.set(sample);
    return target;
  }
}
