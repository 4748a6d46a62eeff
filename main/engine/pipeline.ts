/**
 * The IIR edit end to end (architecture.md §2–3): decode → working frame → IIR image + Canny → control tensor →
 * text → initial latents (noise, or VAE(IIR) noised to `strength`) → denoise with RoI latent blending → VAE decode →
 * composite into the full-resolution original → recipe. One {@link EditEngine} keeps the sessions of the model set it
 * last used loaded between edits (unless low-memory mode releases each stage after use).
 */
import {
  type EditParam,
  type EditParamValues,
  type NumberParam,
  editParamKeys,
  editParams,
} from '../../shared/api/editParams';
import { editParamRules } from '../../shared/api/editParamSchema';
import type { JobProgress } from '../../shared/api/jobs';
import { invalidArgument } from '../../shared/errors';
import type { GrayImage, Mask, RgbImage } from '../../shared/image/types';
import type { ImageSource } from '../image/decode';
import type { StoredComposite } from './compositeStored';
import type { DenoiseStats } from './denoise';
import type { MemoryLevers, MemoryPlan } from './memoryPlan';
import type { ModelSet } from './modelSet';
import type { ProviderRole, ProviderChoice } from './providers';
import type { EditRecipe } from './recipe';

/**
 * The parameters of one edit: the declared ones (shared/api/editParams.ts; absent ones take their defaults), the
 * prompts, and the models (`sd`/`controlnet` may also be folder paths here).
 */
export interface EditOptions extends Partial<Readonly<Omit<EditParamValues, 'scheduler'>>> {
  readonly prompt: string;
  /** Checked here: callers may pass any name. */
  readonly scheduler?: string;
  readonly negativePrompt?: string;
  readonly sd?: string;
  readonly controlnet?: string;
  /** Per-role provider pins (settings), over `provider`. */
  readonly providerPerRole?: Partial<Record<ProviderRole, ProviderChoice>>;
  /** The engine process's CPU thread budget (`iir worker --threads`; threads.ts); every core without. */
  readonly threads?: number;
}

/**
 * Progress of an edit: the one job progress shape (shared/api/jobs.ts) — `loading`, then step `i` of `n` counted over
 * all variations, always with a lazy preview — plus the start of each stage, for the CLI's bar.
 */
export type EditProgress =
  | Extract<JobProgress, { type: 'loading' }>
  | Required<Extract<JobProgress<() => RgbImage>, { type: 'step' }>>
  | { readonly type: 'stage'; readonly stage: EditStage };

export type EditStage = 'load' | 'preprocess' | 'text' | 'encode' | 'denoise' | 'decode' | 'composite';

/** One output image. */
export interface EditVariation {
  readonly seed: number;
  /** An sRGB rendering of the result (oriented), for the screen. */
  readonly rgb: RgbImage;
  /** The input's alpha channel, unchanged, or null. */
  readonly alpha: GrayImage | null;
  /** The result in the file's own stored values, and where they may differ from the source's. */
  readonly stored: StoredComposite;
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
  /** The memory levers the edit ran with and its expected peak (memoryPlan.ts). */
  readonly memory: MemoryPlan;
  /** The sessions this edit created (none when all were loaded already), in order. */
  readonly sessionLoads: readonly { readonly role: string; readonly ms: number; readonly cached: boolean }[];
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
  /** Where CPU sessions cache their optimized graphs (sessionCache.ts: `sessionCacheDir(modelsDir)`); none if unset. */
  readonly sessionCacheDir?: string;
  /** The memory levers main chose before Generate (the panels showed them); planned in the engine when absent. */
  readonly memory?: MemoryLevers;
}

function checkRange(param: NumberParam, value: number): number {
  const { name, min, max, integer, multipleOf } = param;
  if (!Number.isFinite(value) || value < min || value > max || (integer && !Number.isInteger(value))) {
    const kind = integer ? 'an integer' : 'a number';
    throw invalidArgument(`${name} must be ${kind} from ${min} to ${max}, got ${String(value)}`);
  }
  if (multipleOf !== undefined && value % multipleOf !== 0) {
    throw invalidArgument(`${name} must be a multiple of ${multipleOf}, got ${value}`);
  }
  return value;
}

/** The declared parameters after defaults; `strength` stays undefined until the engine is known. */
export type Resolved = { readonly prompt: string; readonly negativePrompt: string } & Readonly<
  Omit<EditParamValues, 'strength' | 'provider'>
> & { readonly strength: number | undefined };

function resolveParam(param: EditParam, value: unknown): unknown {
  if (param.type === 'number') {
    if (value === undefined && typeof param.default === 'object') return undefined;
    return checkRange(param, (value as number | undefined) ?? (param.default as number));
  }
  if (value === undefined) return param.default;
  if (param.type === 'choice' && (typeof value !== 'string' || !param.choices.includes(value))) {
    throw invalidArgument(`unknown ${param.name} ${JSON.stringify(value)}; choose one of ${param.choices.join(', ')}`);
  }
  return value;
}

/** Applies the declared defaults and checks every range and rule (one-line `invalid_argument` errors). */
export function resolveOptions(options: EditOptions): Resolved {
  if (options.prompt.trim() === '') throw invalidArgument('a prompt is required: say what the region should become');
  const values: Record<string, unknown> = { prompt: options.prompt, negativePrompt: options.negativePrompt ?? '' };
  for (const key of editParamKeys) {
    if (key !== 'provider') values[key] = resolveParam(editParams[key], options[key]);
  }
  const r = values as Resolved;
  for (const rule of editParamRules) if (!rule.holds(r)) throw invalidArgument(rule.message);
  return r;
}

export { EditEngine, runEdit } from './editEngine';
