/**
 * The scheduler contract the denoising loop drives. Every scheduler follows diffusers' implementation of the same
 * name with the Stable Diffusion 1.5 config (see `noiseSchedule.ts`), on flat `Float32Array` latents.
 */

/** The samplers the app offers. */
export const schedulerNames = ['ddim', 'euler', 'euler-a', 'dpmpp-2m', 'lcm'] as const;

/** One of {@link schedulerNames}. */
export type SchedulerName = (typeof schedulerNames)[number];

/**
 * How the n inference timesteps are picked from the 1000 training timesteps (diffusers' `timestep_spacing`):
 * - `leading`: 0, 1000/n, 2000/n, … reversed, plus `steps_offset` 1 (20 steps: 951 … 1);
 * - `trailing`: 999, 999 − 1000/n, … (20 steps: 999 … 49) — best for few steps;
 * - `linspace`: evenly from 999 to 0 inclusive (20 steps: 999, 946, 894, …, 53, 0).
 */
export const spacingNames = ['leading', 'trailing', 'linspace'] as const;

/** One of {@link spacingNames}. */
export type TimestepSpacing = (typeof spacingNames)[number];

/** A source of standard normal samples, e.g. the seeded `Rng` of `shared/image/random.ts`. */
export interface GaussianSource {
  /** The next N(0, 1) sample. */
  nextGaussian(): number;
}

/** What {@link createScheduler} needs. */
export interface SchedulerOptions {
  /** Number of inference steps n (before strength truncation). */
  readonly steps: number;
  /** Timestep spacing; defaults to the scheduler's diffusers default (see {@link defaultSpacing}). Not for LCM. */
  readonly spacing?: TimestepSpacing;
  /**
   * img2img strength s in (0, 1], default 1. DDIM / Euler / Euler-a / DPM++ run the last ⌊n·s⌋ of the n timesteps
   * (diffusers' `get_timesteps`); LCM picks its n timesteps from the first ⌊50·s⌋ of its 50 original ones.
   */
  readonly strength?: number;
}

/**
 * A configured scheduler for one denoising run. Step indices `i` count the steps actually run (0 … stepCount − 1),
 * after strength truncation.
 *
 * The loop, per step i: `x_in = scaleModelInput(x, i)`, ε = UNet(x_in, timesteps[i]) (with guidance),
 * `x = step(ε, i, x, rng)`. Start from `noise · initNoiseSigma` (text-to-image) or
 * `addNoise(imageLatents, noise, 0)` (img2img).
 *
 * Schedulers with history (DPM++ 2M) expect the steps in order 0, 1, 2, …; stepping index 0 again starts over.
 */
export interface Scheduler {
  readonly name: SchedulerName;
  /** The spacing in use, or null for LCM (which has its own timestep selection). */
  readonly spacing: TimestepSpacing | null;
  /** n, the requested number of inference steps. */
  readonly inferenceSteps: number;
  /** Number of steps run: ⌊n·strength⌋ (n for LCM). */
  readonly stepCount: number;
  /**
   * The UNet timestep of each run step, in diffusers' conventions (integers, except Euler / Euler-a with linspace
   * spacing, whose timesteps are the float32 values of `np.linspace(0, 999, n)`). Length {@link stepCount}.
   */
  readonly timesteps: readonly number[];
  /**
   * For σ-based schedulers (Euler, Euler-a, DPM++ 2M): σ at each run step followed by the final 0 (length
   * stepCount + 1); null for DDIM and LCM.
   */
  readonly sigmas: readonly number[] | null;
  /** Multiply unit Gaussian noise by this to get the starting latents of a text-to-image run. */
  readonly initNoiseSigma: number;
  /** The factor `scaleModelInput` applies at step i: 1/√(σ_i² + 1) for Euler / Euler-a, else 1. */
  modelInputScale(stepIndex: number): number;
  /** `sample · modelInputScale(i)` into `out` (may be `sample`; a new array when omitted). */
  scaleModelInput(sample: Float32Array, stepIndex: number, out?: Float32Array): Float32Array;
  /**
   * One denoising step: from the sample at step i and the (guided) ε prediction, the sample at step i + 1.
   * `rng` is required by the stochastic samplers (Euler-a, and LCM except on its last step); it draws
   * `sample.length` values in index order. `out` may be `sample` (in place); a new array when omitted.
   */
  step(
    modelOutput: Float32Array,
    stepIndex: number,
    sample: Float32Array,
    rng?: GaussianSource,
    out?: Float32Array,
  ): Float32Array;
  /**
   * `original` (clean latents) noised with `noise` to the level of the sample *entering* step `stepIndex`, in this
   * scheduler's sample space: `stepIndex` 0 is the img2img start, `stepIndex` = stepCount is the clean end
   * (returns a copy of `original`). For the RoI blend after step i use `stepIndex` i + 1, as diffusers' inpainting
   * does. DDIM / LCM / DPM++: √ᾱ·x₀ + √(1−ᾱ)·z at timesteps[stepIndex] (σ for DPM++); Euler / Euler-a:
   * x₀ + σ[stepIndex]·z. `out` may alias `original` or `noise`.
   */
  addNoise(original: Float32Array, noise: Float32Array, stepIndex: number, out?: Float32Array): Float32Array;
}
