/**
 * The IIR edit end to end (architecture.md §2–3): decode → working frame → IIR image + Canny → control tensor →
 * text → initial latents (noise, or VAE(IIR) noised to `strength`) → denoise with RoI latent blending → VAE decode →
 * composite into the full-resolution original → recipe. One {@link EditEngine} keeps the sessions of the model set it
 * last used loaded between edits (unless low-memory mode releases each stage after use).
 */
import { relative } from 'node:path';
import { createScheduler } from '../../shared/engine/schedulers';
import {
  type EditParam,
  type EditParamValues,
  type NumberParam,
  editParamKeys,
  editParams,
} from '../../shared/api/editParams';
import { editParamRules, paramDefault } from '../../shared/api/editParamSchema';
import { invalidArgument, throwIfCancelled } from '../../shared/errors';
import { isMaskEmpty } from '../../shared/image/mask';
import { Rng, fillGaussian } from '../../shared/image/random';
import type { GrayImage, Mask, RgbImage } from '../../shared/image/types';
import { openImage, type ImageSource } from '../image/decode';
import { preprocess, reseedPreprocess } from '../image/preprocess';
import { compositeMask, latentMask } from './composite';
import { compositeStored, type StoredComposite } from './compositeStored';
import { renderSrgb } from '../image/render';
import { denoise, type DenoiseStats } from './denoise';
import { sha256Cached } from './hashes';
import { locateModelSet, rolesOf, type ModelSet } from './modelSet';
import { preflight, type ProviderRole, type ProviderChoice, type ProviderSettings } from './providers';
import { appVersion, colourRecord, recipeMetadata, type EditRecipe } from './recipe';
import { ModelSessions } from './sessions';
import { encodeText, loadTokenizer } from './text';
import { guidanceEmbedding } from './tensors';
import { vaeDecode, vaeEncode } from './vae';

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
type Resolved = { readonly prompt: string; readonly negativePrompt: string } & Readonly<
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

function setKey(set: ModelSet, settings: ProviderSettings, lowMemory: boolean): string {
  return JSON.stringify([set.files, set.tokenizerDir, settings, lowMemory]);
}

async function modelRecord(
  id: string,
  dir: string,
  files: readonly string[],
  cachePath: string | undefined,
): Promise<{ id: string; files: Record<string, string> }> {
  const out: Record<string, string> = {};
  for (const file of files) out[relative(dir, file).split('\\').join('/')] = await sha256Cached(file, cachePath);
  return { id, files: out };
}

/** Runs IIR edits, keeping the last model set's sessions loaded between edits. */
export class EditEngine {
  private sessions: ModelSessions | undefined;
  private key: string | undefined;

  /**
   * Runs one edit (all its variations). In low-memory mode no session outlives the edit, even when it fails or is
   * cancelled half-way.
   */
  async edit(request: EditRequest): Promise<EditResult> {
    try {
      return await this.run(request);
    } catch (error) {
      if (request.options.lowMemory) await this.sessions?.releaseAll();
      throw error;
    }
  }

  private async run(request: EditRequest): Promise<EditResult> {
    const o = resolveOptions(request.options);
    const { signal } = request;
    throwIfCancelled(signal);
    const timings: Record<EditStage, number> = {
      load: 0,
      preprocess: 0,
      text: 0,
      encode: 0,
      denoise: 0,
      decode: 0,
      composite: 0,
    };
    const time = async <T>(stage: EditStage, variation: number, work: () => Promise<T>): Promise<T> => {
      request.onProgress?.({ type: 'stage', stage, variation, variations: o.variations });
      const started = performance.now();
      try {
        return await work();
      } finally {
        timings[stage] += performance.now() - started;
      }
    };

    const source =
      typeof request.image === 'string' || request.image instanceof Uint8Array
        ? await openImage(request.image)
        : request.image;
    const { mask } = request;
    if (mask.width !== source.info.width || mask.height !== source.info.height) {
      throw invalidArgument(
        `the mask is ${mask.width}×${mask.height} but the image is ${source.info.width}×${source.info.height}`,
      );
    }
    if (isMaskEmpty(mask)) throw invalidArgument('the mask is empty: nothing to edit');
    createScheduler(o.scheduler, { steps: o.steps }); // unknown scheduler → one-line error before any model loads

    const set = await locateModelSet({
      modelsDir: request.modelsDir,
      ...(request.options.sd !== undefined ? { sd: request.options.sd } : {}),
      ...(request.options.controlnet !== undefined ? { controlnet: request.options.controlnet } : {}),
    });
    const strength = o.strength ?? paramDefault(editParams.strength, set.engine);
    const scheduler0 = createScheduler(o.scheduler, { steps: o.steps, strength });
    const settings: ProviderSettings = {
      default: request.options.provider ?? 'auto',
      ...(request.options.providerPerRole ? { perRole: request.options.providerPerRole } : {}),
    };
    const report = await preflight();
    const key = setKey(set, settings, o.lowMemory);
    if (this.key !== key) {
      await this.dispose();
      const paths: Partial<Record<ProviderRole, string>> = { ...set.files };
      this.sessions = new ModelSessions(paths, { report, settings, lowMemory: o.lowMemory });
      this.key = key;
    }
    const sessions = this.sessions!;
    const warnings: string[] = [...report.notes];
    // LCM UNets take the guidance as an embedding and run without the unconditional pass.
    const useCfg = !set.isLcm && o.guidance > 1;
    const batch: 1 | 2 = useCfg ? 2 : 1;

    if (!o.lowMemory) {
      await time('load', 0, async () => {
        for (const role of rolesOf(set)) await sessions.get(role);
      });
    }
    const tokenizer = await loadTokenizer(set.tokenizerDir);
    const text = await time('text', 0, async () => {
      const encoder = await sessions.get('text_encoder');
      const encoded = await encodeText(encoder, tokenizer, o.prompt, o.negativePrompt, useCfg);
      await sessions.done('text_encoder');
      return encoded;
    });
    warnings.push(...text.warnings);
    throwIfCancelled(signal);

    const stored = await time('composite', 0, () => source.decodeStored());
    if (source.colour.warning) warnings.push(source.colour.warning);
    const hashPromise = Promise.all([
      modelRecord(
        set.sd.id,
        set.sd.dir,
        [set.files.text_encoder, set.files.unet, set.files.vae_encoder, set.files.vae_decoder],
        request.hashCachePath,
      ),
      set.controlnet && set.files.controlnet
        ? modelRecord(set.controlnet.id, set.controlnet.dir, [set.files.controlnet], request.hashCachePath)
        : Promise.resolve(null),
    ]);

    // Decode, mask, Canny and the original's latents do not depend on the seed: once per edit, not per variation.
    const iirOptions = { noise: o.noise, gray: o.gray, noiseScope: o.noiseScope };
    const firstPrep = await time('preprocess', 0, () =>
      preprocess(source, {
        maskImagePx: mask,
        ...iirOptions,
        cannyLow: o.cannyLow,
        cannyHigh: o.cannyHigh,
        seed: o.seed,
        shortSide: o.size,
        focus: o.focus,
        controlChannels: set.controlChannels,
        ...(signal ? { signal } : {}),
      }),
    );
    const { frame } = firstPrep;
    const latentHeight = frame.height / 8;
    const latentWidth = frame.width / 8;
    const fromImage = set.engine === 'iir-training-free' || strength < 1;
    const original = await time('encode', 0, async () => {
      const encoder = await sessions.get('vae_encoder');
      const latents = await vaeEncode(encoder, firstPrep.working);
      if (!fromImage) await sessions.done('vae_encoder');
      return latents;
    });
    // the RoI blend keeps the original's trajectory outside the (grown) RoI
    const grow = Math.ceil((o.dilatePx + o.featherPx) * frame.scale) + 8;
    const latentRoi = latentMask(firstPrep.workingMask, grow);

    const variations: EditVariation[] = [];
    for (let v = 0; v < o.variations; v++) {
      const seed = o.seed + v;
      throwIfCancelled(signal);
      const prep =
        v === 0
          ? firstPrep
          : await time('preprocess', v, () => Promise.resolve(reseedPreprocess(firstPrep, iirOptions, seed)));
      const scheduler = v === 0 ? scheduler0 : createScheduler(o.scheduler, { steps: o.steps, strength });

      const start = fromImage
        ? await time('encode', v, async () => {
            const encoder = await sessions.get('vae_encoder');
            const latents = await vaeEncode(encoder, prep.iir);
            await sessions.done('vae_encoder');
            return latents;
          })
        : undefined;
      throwIfCancelled(signal);

      const n = original.length;
      const rng = new Rng(seed);
      const noise = fillGaussian(new Float32Array(n), rng);
      const latents = new Float32Array(n);
      if (start) scheduler.addNoise(start, noise, 0, latents);
      else for (let j = 0; j < n; j++) latents[j] = noise[j]! * scheduler.initNoiseSigma;
      // the RoI blend uses the same noise as the start, so outside the RoI the trajectory is the original's
      const blend = { original, noise, mask: latentRoi };

      const stats = await time('denoise', v, async () => {
        const unet = await sessions.get('unet');
        const controlnet = set.form === 'split' ? await sessions.get('controlnet') : undefined;
        const result = await denoise(controlnet ? { unet, controlnet } : { unet }, {
          scheduler,
          text: text.hiddenStates,
          batch,
          guidance: o.guidance,
          control: prep.control,
          controlScale: o.controlScale,
          controlStart: o.controlStart,
          controlEnd: o.controlEnd,
          latents,
          latentHeight,
          latentWidth,
          blend,
          rng,
          ...(set.isLcm ? { timestepCond: guidanceEmbedding(o.guidance, 256, batch) } : {}),
          ...(signal ? { signal } : {}),
          onStep: (p) =>
            request.onProgress?.({
              type: 'step',
              variation: v,
              variations: o.variations,
              step: p.step,
              total: p.total,
              preview: () => p.preview(),
            }),
        });
        await sessions.done('unet', 'controlnet');
        return result;
      });
      throwIfCancelled(signal);

      const decoded = await time('decode', v, async () => {
        const decoder = await sessions.get('vae_decoder');
        const image = await vaeDecode(decoder, latents, latentHeight, latentWidth);
        await sessions.done('vae_decoder');
        return image;
      });

      const [sdRecord, controlnetRecord] = await hashPromise;
      const { composite, view } = await time('composite', v, async () => {
        const blendMask = compositeMask(mask, frame, o.dilatePx, o.featherPx);
        const { colour } = source;
        const composite = await compositeStored(stored, colour, source.info.orientation, decoded, frame, blendMask);
        return { composite, view: await renderSrgb(composite.image, colour, source.info.orientation) };
      });
      const providers: Record<string, string> = {};
      const fallbacks: Record<string, string[]> = {};
      for (const role of rolesOf(set)) {
        const h = sessions.history.get(role);
        if (h) {
          providers[role] = h.provider;
          fallbacks[role] = [...h.fallbacks];
        }
      }
      const recipe: EditRecipe = {
        app: { name: 'IIR Studio', version: appVersion() },
        prompt: o.prompt,
        negativePrompt: o.negativePrompt,
        seed,
        engine: set.engine,
        controlForm: set.form,
        params: {
          noise: o.noise,
          gray: o.gray,
          noiseScope: o.noiseScope,
          cannyLow: o.cannyLow,
          cannyHigh: o.cannyHigh,
          strength,
          steps: o.steps,
          guidance: o.guidance,
          controlScale: o.controlScale,
          controlStart: o.controlStart,
          controlEnd: o.controlEnd,
          scheduler: o.scheduler,
          size: o.size,
          focus: o.focus,
          featherPx: o.featherPx,
          dilatePx: o.dilatePx,
          lowMemory: o.lowMemory,
        },
        workingFrame: { sourcePx: { ...frame.sourcePx }, width: frame.width, height: frame.height },
        timesteps: [...scheduler.timesteps],
        models: { sd: sdRecord, controlnet: controlnetRecord },
        providers,
        fallbacks,
        colour: colourRecord(source.colour),
      };
      variations.push({
        seed,
        rgb: view.rgb,
        alpha: view.alpha,
        stored: composite,
        recipe,
        metadata: recipeMetadata(recipe),
        denoise: stats,
      });
    }
    const providers = variations[0]?.recipe.providers ?? {};
    return { variations, timings, providers, warnings, modelSet: set };
  }

  /** The roles whose sessions are loaded now (low-memory mode keeps none between stages). */
  loadedRoles(): ProviderRole[] {
    return this.sessions?.loadedRoles() ?? [];
  }

  /** Releases every loaded session. */
  async dispose(): Promise<void> {
    const sessions = this.sessions;
    this.sessions = undefined;
    this.key = undefined;
    await sessions?.releaseAll();
  }
}

/** Runs one edit with a fresh engine and releases its sessions afterwards. */
export async function runEdit(request: EditRequest): Promise<EditResult> {
  const engine = new EditEngine();
  try {
    return await engine.edit(request);
  } finally {
    await engine.dispose();
  }
}
