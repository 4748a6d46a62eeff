/**
 * Reference values for the scheduler tests, written out from the formulas in shared/design/models.md (and diffusers'
 * source) independently of the code under test.
 */

/** ᾱ_t for the SD1.5 config: β = linspace(√0.00085, √0.012, 1000)², ᾱ = cumprod(1 − β). */
export const referenceAlphas: number[] = (() => {
  const a = Math.sqrt(0.00085);
  const b = Math.sqrt(0.012);
  const out: number[] = [];
  let product = 1;
  for (let t = 0; t < 1000; t++) {
    const root = a + ((b - a) * t) / 999;
    product *= 1 - root * root;
    out.push(product);
  }
  return out;
})();

/** ᾱ at an integer timestep. */
export function alphaBar(t: number): number {
  const value = referenceAlphas[t];
  if (value === undefined) throw new Error(`no ᾱ at ${t}`);
  return value;
}

/** σ_t = √((1 − ᾱ)/ᾱ), linearly interpolated in σ for fractional t. */
export function sigmaAt(t: number): number {
  const sigma = (k: number): number => Math.sqrt((1 - alphaBar(k)) / alphaBar(k));
  const lower = Math.floor(t);
  if (lower === t) return sigma(t);
  return sigma(lower) + (sigma(lower + 1) - sigma(lower)) * (t - lower);
}

/** A Gaussian source that replays fixed values (cycling), to make stochastic steps checkable by hand. */
export class ReplaySource {
  private index = 0;
  constructor(private readonly values: readonly number[]) {}
  nextGaussian(): number {
    const value = this.values[this.index % this.values.length]!;
    this.index++;
    return value;
  }
}

export const sampleValues = [0.5, -1.25, 2, 0.1, -0.3, 1.7, -2.2, 0.9];
export const epsilonValues = [0.3, -0.7, 1.1, -0.2, 0.05, 0.8, -1.4, 0.6];
export const noiseValues = [-0.4, 1.3, 0.2, -1.8, 0.7, -0.1, 1.5, -0.9];

/** Float32 copies of the values above. */
export function f32(values: readonly number[]): Float32Array {
  return Float32Array.from(values);
}

/** Expects two arrays to agree element-wise within `tolerance` (absolute). */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Number.POSITIVE_INFINITY;
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i]! - b[i]!));
  return max;
}
