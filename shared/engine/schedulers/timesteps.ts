/**
 * Timestep selection exactly as diffusers' `set_timesteps` for each scheduler, and img2img strength truncation.
 */

import { invalidArgument } from '../../errors';
import { arange, linspace, roundHalfEven, stepsOffset, trainTimesteps } from './noiseSchedule';
import type { TimestepSpacing } from './types';

/**
 * DDIM's (and PNDM's) integer timesteps for n steps:
 * linspace `round(linspace(0, 999, n))` reversed; leading `arange(n)·(1000 // n)` reversed + 1;
 * trailing `round(arange(1000, 0, −1000/n)) − 1`.
 */
export function discreteTimesteps(spacing: TimestepSpacing, steps: number): number[] {
  switch (spacing) {
    case 'linspace':
      return linspace(0, trainTimesteps - 1, steps)
        .map(roundHalfEven)
        .reverse();
    case 'leading': {
      const ratio = Math.floor(trainTimesteps / steps);
      return Array.from({ length: steps }, (_, i) => (steps - 1 - i) * ratio + stepsOffset);
    }
    case 'trailing':
      return arange(trainTimesteps, 0, -trainTimesteps / steps).map((t) => roundHalfEven(t) - 1);
  }
}

/**
 * Euler / Euler-ancestral timesteps: as {@link discreteTimesteps} except that linspace is not rounded — diffusers
 * keeps `np.linspace(0, 999, n, dtype=float32)`, so these are float32 values (999, 946.42108, …, 0).
 */
export function eulerTimesteps(spacing: TimestepSpacing, steps: number): number[] {
  if (spacing !== 'linspace') return discreteTimesteps(spacing, steps);
  return linspace(0, trainTimesteps - 1, steps)
    .map((t) => Math.fround(t))
    .reverse();
}

/**
 * DPM-Solver multistep timesteps: diffusers spaces n + 1 points and drops the last, so linspace for 20 steps is
 * 999, 949, …, 50 and leading uses the ratio 1000 // (n + 1); trailing is as DDIM's.
 */
export function dpmSolverTimesteps(spacing: TimestepSpacing, steps: number): number[] {
  switch (spacing) {
    case 'linspace':
      return linspace(0, trainTimesteps - 1, steps + 1)
        .map(roundHalfEven)
        .reverse()
        .slice(0, steps);
    case 'leading': {
      const ratio = Math.floor(trainTimesteps / (steps + 1));
      return Array.from({ length: steps }, (_, i) => (steps - i) * ratio + stepsOffset);
    }
    case 'trailing':
      return discreteTimesteps('trailing', steps);
  }
}

/** LCM's `original_inference_steps` default: the 50-step DDIM schedule the model was distilled on. */
export const lcmOriginalSteps = 50;

/**
 * LCM's timesteps (diffusers `LCMScheduler.set_timesteps`): the original schedule 19, 39, …, 999 (k = 1000/50),
 * truncated to its first ⌊50·strength⌋ entries, reversed, then n picks at `floor(linspace(0, len, n, endpoint=false))`.
 * 4 steps → 999, 759, 499, 259.
 */
export function lcmTimesteps(steps: number, strength: number): number[] {
  const k = Math.floor(trainTimesteps / lcmOriginalSteps);
  const originCount = Math.floor(lcmOriginalSteps * strength);
  if (steps > originCount) {
    throw invalidArgument(
      `lcm runs at most ${originCount} steps at strength ${strength} (it picks from ${lcmOriginalSteps}·strength original timesteps); got ${steps}`,
    );
  }
  const origin = Array.from({ length: originCount }, (_, i) => (originCount - i) * k - 1);
  const pickStep = originCount / steps;
  return Array.from({ length: steps }, (_, i) => origin[Math.floor(i * pickStep)]!);
}

/**
 * diffusers' img2img `get_timesteps`: the number of leading steps skipped, `n − min(⌊n·strength⌋, n)`.
 * Throws when no step would run.
 */
export function strengthStartIndex(steps: number, strength: number): number {
  const run = Math.min(Math.floor(steps * strength), steps);
  if (run < 1) {
    throw invalidArgument(`strength ${strength} × ${steps} steps leaves no step to run; raise --strength or --steps`);
  }
  return steps - run;
}

/** Checks the step count and strength every scheduler shares. */
export function validateStepsAndStrength(steps: number, strength: number): void {
  if (!Number.isInteger(steps) || steps < 1 || steps > trainTimesteps) {
    throw invalidArgument(`steps must be a whole number from 1 to ${trainTimesteps}, got ${steps}`);
  }
  if (!(strength > 0 && strength <= 1)) {
    throw invalidArgument(`strength must be in (0, 1], got ${strength}`);
  }
}
