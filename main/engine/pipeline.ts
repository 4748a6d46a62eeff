/**
 * The IIR edit end to end (architecture.md §2–3): decode → working frame → IIR image + Canny → control tensor →
 * text → initial latents (noise, or VAE(IIR) noised to `strength`) → denoise with RoI latent blending → VAE decode →
 * composite into the full-resolution original → recipe. One {@link EditEngine} keeps the sessions of the model set it
 * last used loaded between edits (unless low-memory mode releases each stage after use).
 */
import { invalidArgument } from '../../shared/errors';
import type { NoiseScope } from '../../shared/image/iir';
import type { GrayImage, Mask, RgbImage } from '../../shared/image/types';
import type { ImageSource } from '../image/decode';
import type { DenoiseStats } from './denoise';
import type { ModelSet } from './modelSet';
import type { ModelRole, ProviderChoice } from './providers';
import type { EditRecipe } from './recipe';

export { EditEngine, runEdit } from './editEngine';

/** The parameters of one edit (see shared/api/edit.ts; `sd`/`controlnet` may also be folder paths here). */
export interface EditOptions {
  readonly prompt: string;
  readonly negativePrompt?: string;
  /** Texture removal σ in [0, 1]. Default 0.5. */
  readonly noise?: number;
  /** Colour removal. Default true. */
  readonly gray?: boolean;
  /** Where the texture-removal noise goes. Default 'roi'. */
  readonly noiseScope?: NoiseScope;
  /** Canny thresholds of the control's edge map. Default 100 / 200. */
  readonly cannyLow?: number;
  readonly cannyHigh?: number;
  /** Default: 1 for the trained engine (pure noise), 0.75 for the training-free one. */
  readonly strength?: number;
  readonly steps?: number;
  readonly guidance?: number;
  readonly controlScale?: number;
  readonly controlStart?: number;
  readonly controlEnd?: number;
  readonly scheduler?: string;
  readonly seed?: number;
  readonly variations?: number;
  /** Working short side (multiple of 64). Default 512. */
  readonly size?: number;
  readonly focus?: boolean;
  readonly featherPx?: number;
  readonly dilatePx?: number;
  readonly sd?: string;
  readonly controlnet?: string;
  readonly provider?: ProviderChoice;
  /** Per-role provider pins (settings), over `provider`. */
  readonly providerPerRole?: Partial<Record<ModelRole, ProviderChoice>>;
  readonly lowMemory?: boolean;
}

/** Progress of an edit: stages, then one event per denoising step. */
export type EditProgress =
  | { readonly type: 'stage'; readonly stage: EditStage; readonly variation: number; readonly variations: number }
  | {
      readonly type: 'step';
      readonly variation: number;
      readonly variations: number;
      readonly step: number;
      readonly total: number;
      preview(): RgbImage;
    };

export type EditStage = 'load' | 'preprocess' | 'text' | 'encode' | 'denoise' | 'decode' | 'composite';

/** One output image. */
export interface EditVariation {
  readonly seed: number;
  readonly rgb: RgbImage;
  /** The input's alpha channel, unchanged, or null. */
  readonly alpha: GrayImage | null;
  readonly recipe: EditRecipe;
  /** Text metadata for the output file (the recipe as JSON). */
  readonly metadata: Record<string, string>;
  readonly denoise: DenoiseStats;
}

export interface EditResult {
  readonly variations: readonly EditVariation[];
  /** Milliseconds per stage, summed over variations. */
  readonly timings: Readonly<Record<EditStage, number>>;
  readonly providers: Readonly<Record<string, string>>;
  readonly warnings: readonly string[];
  readonly modelSet: ModelSet;
}

export interface EditRequest {
  /** Image file path or encoded bytes. */
  readonly image: string | Uint8Array | ImageSource;
  /** RoI at the image's full resolution (0 outside, 255 inside). */
  readonly mask: Mask;
  readonly options: EditOptions;
  readonly modelsDir: string;
  readonly signal?: AbortSignal;
  readonly onProgress?: (progress: EditProgress) => void;
  /** Where SHA-256s of model files are cached between runs. */
  readonly hashCachePath?: string;
}

function checkRange(name: string, value: number, min: number, max: number, integer = false): number {
  if (!Number.isFinite(value) || value < min || value > max || (integer && !Number.isInteger(value))) {
    const kind = integer ? 'an integer' : 'a number';
    throw invalidArgument(`${name} must be ${kind} from ${min} to ${max}, got ${String(value)}`);
  }
  return value;
}

export interface Resolved {
  readonly prompt: string;
  readonly negativePrompt: string;
  readonly noise: number;
  readonly gray: boolean;
  readonly noiseScope: NoiseScope;
  readonly cannyLow: number;
  readonly cannyHigh: number;
  readonly strength: number | undefined;
  readonly steps: number;
  readonly guidance: number;
  readonly controlScale: number;
  readonly controlStart: number;
  readonly controlEnd: number;
  readonly scheduler: string;
  readonly seed: number;
  readonly variations: number;
  readonly size: number;
  readonly focus: boolean;
  readonly featherPx: number;
  readonly dilatePx: number;
  readonly lowMemory: boolean;
}

/** Applies defaults and checks every number's range (one-line `invalid_argument` errors). */
export function resolveOptions(options: EditOptions): Resolved {
  if (options.prompt.trim() === '') throw invalidArgument('a prompt is required: say what the region should become');
  const r: Resolved = {
    prompt: options.prompt,
    negativePrompt: options.negativePrompt ?? '',
    noise: checkRange('noise', options.noise ?? 0.5, 0, 1),
    gray: options.gray ?? true,
    noiseScope: options.noiseScope ?? 'roi',
    cannyLow: checkRange('Canny low threshold', options.cannyLow ?? 100, 0, 2040),
    cannyHigh: checkRange('Canny high threshold', options.cannyHigh ?? 200, 0, 2040),
    strength: options.strength === undefined ? undefined : checkRange('strength', options.strength, 0.01, 1),
    steps: checkRange('steps', options.steps ?? 20, 1, 150, true),
    guidance: checkRange('guidance', options.guidance ?? 7.5, 1, 30),
    controlScale: checkRange('control scale', options.controlScale ?? 1, 0, 2),
    controlStart: checkRange('control start', options.controlStart ?? 0, 0, 1),
    controlEnd: checkRange('control end', options.controlEnd ?? 1, 0, 1),
    scheduler: options.scheduler ?? 'ddim',
    seed: checkRange('seed', options.seed ?? 0, 0, 0xffffffff, true),
    variations: checkRange('variations', options.variations ?? 1, 1, 16, true),
    size: checkRange('size', options.size ?? 512, 256, 1024, true),
    focus: options.focus ?? false,
    featherPx: checkRange('feather', options.featherPx ?? 8, 0, 256, true),
    dilatePx: checkRange('dilate', options.dilatePx ?? 8, 0, 256, true),
    lowMemory: options.lowMemory ?? false,
  };
  if (r.size % 64 !== 0) throw invalidArgument(`size must be a multiple of 64, got ${r.size}`);
  if (r.cannyLow > r.cannyHigh) throw invalidArgument('the Canny low threshold must not exceed the high one');
  if (r.controlStart > r.controlEnd) {
    throw invalidArgument(`control start (${r.controlStart}) must not exceed control end (${r.controlEnd})`);
  }
  if (r.seed + r.variations - 1 > 0xffffffff) throw invalidArgument('seed + variations must stay below 2^32');
  return r;
}
