/**
 * Diffusion schedulers for Stable Diffusion 1.5 (diffusers semantics; see each module and `types.ts` for the
 * contract). Pure TypeScript on `Float32Array`s: the engine's denoising loop drives them.
 *
 * ```ts
 * const scheduler = createScheduler('dpmpp-2m', { steps: 20 });
 * let x = fillGaussian(new Float32Array(4 * 64 * 64), rng).map((v) => v * scheduler.initNoiseSigma);
 * for (let i = 0; i < scheduler.stepCount; i++) {
 *   const eps = unet(scheduler.scaleModelInput(x, i), scheduler.timesteps[i]);
 *   scheduler.step(eps, i, x, rng, x); // in place
 * }
 * ```
 */

import { invalidArgument } from '../../errors';
import { DdimScheduler } from './ddim';
import { DpmSolverMultistepScheduler } from './dpmSolver';
import { EulerScheduler } from './euler';
import { LcmScheduler } from './lcm';
import { validateStepsAndStrength } from './timesteps';
import { schedulerNames, spacingNames } from './types';
import type { Scheduler, SchedulerName, SchedulerOptions, TimestepSpacing } from './types';

export { schedulerNames, spacingNames } from './types';
export type { GaussianSource, Scheduler, SchedulerName, SchedulerOptions, TimestepSpacing } from './types';

/**
 * Each scheduler's default spacing, as diffusers' class defaults when loaded from the SD1.5 config: DDIM
 * `leading`; Euler, Euler-a and DPM++ 2M `linspace`. LCM has none: it always picks from its 50 original timesteps.
 */
export const defaultSpacing: Readonly<Record<SchedulerName, TimestepSpacing | null>> = {
  ddim: 'leading',
  euler: 'linspace',
  'euler-a': 'linspace',
  'dpmpp-2m': 'linspace',
  lcm: null,
};

/** True when `name` is one of {@link schedulerNames}. */
export function isSchedulerName(name: string): name is SchedulerName {
  return (schedulerNames as readonly string[]).includes(name);
}

/** True when `name` is one of {@link spacingNames}. */
export function isSpacingName(name: string): name is TimestepSpacing {
  return (spacingNames as readonly string[]).includes(name);
}

/**
 * A scheduler configured for one run. Throws `invalid_argument` (one line) for an unknown name or spacing, steps
 * outside 1…1000, strength outside (0, 1], a strength that leaves no step, a spacing given to LCM, or more LCM
 * steps than ⌊50·strength⌋.
 */
export function createScheduler(name: string, options: SchedulerOptions): Scheduler {
  if (!isSchedulerName(name)) {
    throw invalidArgument(`unknown scheduler "${name}"; choose one of ${schedulerNames.join(', ')}`);
  }
  const { steps, spacing, strength = 1 } = options;
  if (spacing !== undefined && !isSpacingName(spacing)) {
    throw invalidArgument(`unknown spacing "${String(spacing)}"; choose one of ${spacingNames.join(', ')}`);
  }
  validateStepsAndStrength(steps, strength);
  if (name === 'lcm') {
    if (spacing !== undefined) {
      throw invalidArgument('lcm picks its own timesteps (from its 50 original ones); it takes no spacing');
    }
    return new LcmScheduler(steps, strength);
  }
  const chosen = spacing ?? defaultSpacing[name] ?? 'leading';
  switch (name) {
    case 'ddim':
      return new DdimScheduler(steps, chosen, strength);
    case 'euler':
      return new EulerScheduler(false, steps, chosen, strength);
    case 'euler-a':
      return new EulerScheduler(true, steps, chosen, strength);
    case 'dpmpp-2m':
      return new DpmSolverMultistepScheduler(steps, chosen, strength);
  }
}
