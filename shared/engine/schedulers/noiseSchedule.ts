/**
 * The SD1.5 training noise schedule and the NumPy arithmetic diffusers builds its timestep schedules with.
 *
 * Config (Stable Diffusion 1.5 `scheduler_config.json`): 1000 training timesteps, `beta_schedule: scaled_linear`
 * (β = linspace(√0.00085, √0.012, 1000)²), `steps_offset: 1`, `set_alpha_to_one: false`, ε-prediction.
 * Values are float64; diffusers keeps them in float32, so they agree to ~1e-7 relative.
 */

/** Number of training timesteps (`num_train_timesteps`). */
export const trainTimesteps = 1000;
/** `steps_offset` of the SD1.5 config, added to "leading" timesteps. */
export const stepsOffset = 1;

function computeAlphasCumprod(): Float64Array {
  const betaStartRoot = Math.sqrt(0.00085);
  const betaEndRoot = Math.sqrt(0.012);
  const roots = linspace(betaStartRoot, betaEndRoot, trainTimesteps);
  const out = new Float64Array(trainTimesteps);
  let product = 1;
  for (let t = 0; t < trainTimesteps; t++) {
    const beta = roots[t]! * roots[t]!;
    product *= 1 - beta;
    out[t] = product;
  }
  return out;
}

/** ᾱ_t = ∏_{s≤t} (1 − β_s) for t = 0…999 (ᾱ[0] ≈ 0.99915, ᾱ[500] ≈ 0.276333, ᾱ[999] ≈ 0.0046601). */
export const alphasCumprod: Readonly<Float64Array> = computeAlphasCumprod();

/** ᾱ used past the end of the schedule: `set_alpha_to_one: false` means ᾱ[0], not 1. */
export const finalAlphaCumprod = alphasCumprod[0]!;

/** ᾱ at an integer training timestep (0…999). */
export function alphaCumprodAt(timestep: number): number {
  const value = alphasCumprod[timestep];
  if (value === undefined || !Number.isInteger(timestep)) throw new RangeError(`no ᾱ for timestep ${timestep}`);
  return value;
}

/** The k-diffusion noise level of a training timestep: σ_t = √((1 − ᾱ_t) / ᾱ_t). */
export function sigmaOfAlphaCumprod(alphaCumprod: number): number {
  return Math.sqrt((1 - alphaCumprod) / alphaCumprod);
}

const trainSigmas = alphasCumprod.map(sigmaOfAlphaCumprod);

/**
 * σ at a possibly fractional timestep, interpolated linearly in σ between the neighbouring integer timesteps —
 * diffusers' `np.interp(timesteps, arange(1000), sigmas)` (`interpolation_type: linear`).
 */
export function sigmaAtTimestep(timestep: number): number {
  if (!(timestep >= 0 && timestep <= trainTimesteps - 1)) throw new RangeError(`timestep ${timestep} out of range`);
  const lower = Math.floor(timestep);
  const fraction = timestep - lower;
  const a = trainSigmas[lower]!;
  if (fraction === 0) return a;
  const b = trainSigmas[lower + 1]!;
  return a + (b - a) * fraction;
}

/** NumPy's `round` (and `ndarray.round`): halves go to the even neighbour. */
export function roundHalfEven(x: number): number {
  const floor = Math.floor(x);
  const fraction = x - floor;
  if (fraction < 0.5) return floor;
  if (fraction > 0.5) return floor + 1;
  return floor % 2 === 0 ? floor : floor + 1;
}

/** `np.linspace(start, stop, num)`: `start + i·step` with the last value exactly `stop`. */
export function linspace(start: number, stop: number, num: number): number[] {
  if (num === 1) return [start];
  const step = (stop - start) / (num - 1);
  const out: number[] = [];
  for (let i = 0; i < num; i++) out.push(i * step + start);
  out[num - 1] = stop;
  return out;
}

/** `np.arange(start, stop, step)` for floats: length ⌈(stop − start)/step⌉, values `start + i·delta`. */
export function arange(start: number, stop: number, step: number): number[] {
  const length = Math.max(0, Math.ceil((stop - start) / step));
  const delta = start + step - start;
  const out: number[] = [];
  for (let i = 0; i < length; i++) out.push(start + i * delta);
  return out;
}
