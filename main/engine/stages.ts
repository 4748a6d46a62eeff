/**
 * The stages of one IIR edit, each a function with a typed input and output (architecture.md §3):
 *
 *   prepareEdit → encodeTextStage → prepareFrame → encodeOriginal → startLatents → denoiseStage → decodeStage
 *   → compositeStage → buildRecipe
 *
 * {@link EditEngine} (pipeline.ts) strings them together per variation and keeps the sessions between edits.
 */
import { freemem } from 'node:os';
import { createScheduler, type Scheduler } from '../../shared/engine/schedulers';
import { invalidArgument, throwIfCancelled } from '../../shared/errors';
import { isMaskEmpty } from '../../shared/image/mask';
import { Rng, fillGaussian } from '../../shared/image/random';
import type { Mask, RgbImage } from '../../shared/image/types';
import { openImage, type ImageSource } from '../image/decode';
import { preprocess, type PreprocessResult } from '../image/preprocess';
import { compositeMask, latentMask } from './composite';
import { compositeStored, type StoredComposite } from './compositeStored';
import { renderSrgb } from '../image/render';
import type { StoredPixels } from '../image/stored';
import type { GrayImage } from '../../shared/image/types';
import { editParams } from '../../shared/api/editParams';
import { paramDefault } from '../../shared/api/editParamSchema';
import { denoise, type DenoiseStats, type StepProgress } from './denoise';
import { locateModelSet, type ModelSet } from './modelSet';
import type { EditRequest, Resolved } from './pipeline';
import { applyLevers, bareProcessBytes, planMemory, type MemoryLevers, type MemoryPlan } from './memoryPlan';
import { setWeights } from './modelFiles';
import { preflight, type PreflightReport, type ProviderSettings } from './providers';
import { checkThreads } from './threads';
import type { ModelSessions } from './sessions';
import { guidanceEmbedding } from './tensors';
import { encodeText, loadTokenizer, type TextConditioning } from './text';
import { vaeDecode, vaeEncode } from './vae';

export { buildRecipe, hashModelSet, type ModelRecords, type RecipeInput } from './recipeStage';

/** Everything settled before a model runs: options, image, mask, model set, providers. */
export interface PreparedEdit {
  readonly options: Resolved;
  readonly source: ImageSource;
  /** RoI at the image's full resolution. */
  readonly mask: Mask;
  readonly set: ModelSet;
  /** `strength` resolved per engine (1 trained, 0.75 training-free, unless given). */
  readonly strength: number;
  readonly settings: ProviderSettings;
  readonly report: PreflightReport;
  /** Classifier-free guidance (B = 2): off for LCM UNets and guidance 1. */
  readonly useCfg: boolean;
  /** Advice collected on the way (provider notes). */
  readonly warnings: readonly string[];
}

/** Whether any role's provider is left to `auto` (advice about faster providers concerns only those). */
export function usesAuto(settings: ProviderSettings): boolean {
  return settings.default === 'auto' || Object.values(settings.perRole ?? {}).includes('auto');
}

/** Checks the image and mask, resolves the model set and providers. One-line errors before any model loads. */
export async function prepareEdit(request: EditRequest, options: Resolved): Promise<PreparedEdit> {
  const o = options;
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
  return { ...(await prepareModels(request, o)), source, mask };
}

/** The models part of {@link prepareEdit}: scheduler check, model set, providers, strength and CFG. */
export async function prepareModels(
  request: Pick<EditRequest, 'modelsDir' | 'options'>,
  o: Resolved,
): Promise<Omit<PreparedEdit, 'source' | 'mask'>> {
  createScheduler(o.scheduler, { steps: o.steps }); // unknown scheduler → one-line error before any model loads
  const set = await locateModelSet({
    modelsDir: request.modelsDir,
    ...(request.options.sd !== undefined ? { sd: request.options.sd } : {}),
    ...(request.options.controlnet !== undefined ? { controlnet: request.options.controlnet } : {}),
  });
  const strength = o.strength ?? paramDefault(editParams.strength, set.engine);
  const { providerPerRole, threads } = request.options;
  const settings: ProviderSettings = {
    default: request.options.provider ?? 'auto',
    ...(providerPerRole ? { perRole: providerPerRole } : {}),
    ...(threads === undefined ? {} : { threads: checkThreads(threads) }),
  };
  const report = await preflight();
  const warnings = usesAuto(settings) ? [...report.notes] : [];
  // LCM UNets take the guidance as an embedding and run without the unconditional pass.
  const useCfg = !set.isLcm && o.guidance > 1;
  return { options: o, set, strength, settings, report, useCfg, warnings };
}

/** Text stage: prompt (and negative prompt with CFG) → hidden states. */
export async function encodeTextStage(sessions: ModelSessions, prepared: PreparedEdit): Promise<TextConditioning> {
  const { options: o, set, useCfg } = prepared;
  const tokenizer = await loadTokenizer(set.tokenizerDir);
  const encoder = await sessions.get('text_encoder');
  const encoded = await encodeText(encoder, tokenizer, o.prompt, o.negativePrompt, useCfg);
  await sessions.done('text_encoder');
  return encoded;
}

/** The working frame and the seed-independent inputs: preprocessing of the first seed, latent RoI. */
export interface FramePlan {
  readonly prep: PreprocessResult;
  readonly latentHeight: number;
  readonly latentWidth: number;
  /** The RoI blend mask at latent size (grown by dilate + feather). */
  readonly latentRoi: Float32Array;
  /** Start from VAE(IIR image) (training-free engine, or strength < 1) instead of pure noise. */
  readonly fromImage: boolean;
}

/** Preprocess stage: working frame, IIR image, Canny, control tensor for the first seed. */
export async function prepareFrame(prepared: PreparedEdit, signal?: AbortSignal): Promise<FramePlan> {
  const { options: o, set, source, mask, strength } = prepared;
  const prep = await preprocess(source, {
    maskImagePx: mask,
    noise: o.noise,
    gray: o.gray,
    noiseScope: o.noiseScope,
    cannyLow: o.cannyLow,
    cannyHigh: o.cannyHigh,
    seed: o.seed,
    shortSide: o.size,
    focus: o.focus,
    controlChannels: set.controlChannels,
    ...(signal ? { signal } : {}),
  });
  const { frame } = prep;
  // the RoI blend keeps the original's trajectory outside the (grown) RoI
  const grow = Math.ceil((o.dilatePx + o.featherPx) * frame.scale) + 8;
  return {
    prep,
    latentHeight: frame.height / 8,
    latentWidth: frame.width / 8,
    latentRoi: latentMask(prep.workingMask, grow),
    fromImage: set.engine === 'iir-training-free' || strength < 1,
  };
}

/**
 * The memory levers (memoryPlan.ts) of an edit with `prepared`'s models on a working frame of `width` × `height`:
 * `levers` when main chose them before Generate (editPlans.ts), else planned here for the machine's free memory plus
 * what this process holds beyond a bare engine process (sessions it could release count as free).
 */
export async function planFor(
  prepared: Pick<PreparedEdit, 'set' | 'useCfg' | 'options'>,
  width: number,
  height: number,
  levers?: MemoryLevers,
): Promise<MemoryPlan> {
  const weights = await setWeights(prepared.set);
  const { useCfg: cfg, options } = prepared;
  if (levers) return applyLevers(weights, width, height, cfg, levers);
  const held = Math.max(0, process.memoryUsage().rss - bareProcessBytes);
  return planMemory({ weights, width, height, cfg, lowMemory: options.lowMemory, available: freemem() + held });
}

/**
 * Encode stage: VAE(image) as scaled latents (on tiles when `tiled`); the encoder is released after use unless
 * `keep`.
 */
export async function encodeImage(
  sessions: ModelSessions,
  image: RgbImage,
  keep: boolean,
  tiled: boolean,
): Promise<Float32Array> {
  const encoder = await sessions.get('vae_encoder');
  const latents = await vaeEncode(encoder, image, tiled);
  if (!keep) await sessions.done('vae_encoder');
  return latents;
}

/** The latents a variation starts from, the noise they were drawn with and the scheduler's random source. */
export interface StartLatents {
  readonly latents: Float32Array;
  readonly noise: Float32Array;
  readonly rng: Rng;
}

/** Seeded start: `start` (VAE of the IIR image) noised to the first timestep, or pure noise. */
export function startLatents(scheduler: Scheduler, size: number, seed: number, start?: Float32Array): StartLatents {
  const rng = new Rng(seed);
  const noise = fillGaussian(new Float32Array(size), rng);
  const latents = new Float32Array(size);
  if (start) scheduler.addNoise(start, noise, 0, latents);
  else for (let j = 0; j < size; j++) latents[j] = noise[j]! * scheduler.initNoiseSigma;
  return { latents, noise, rng };
}

/** What the denoise stage needs besides the sessions. */
export interface DenoiseStageInput {
  readonly prepared: PreparedEdit;
  readonly frame: FramePlan;
  readonly scheduler: Scheduler;
  readonly text: Float32Array;
  readonly control: PreprocessResult['control'];
  readonly start: StartLatents;
  /** VAE(original working image): kept outside the RoI. */
  readonly original: Float32Array;
  /** Classifier-free guidance as two B = 1 passes (memoryPlan.ts). */
  readonly splitBatch: boolean;
  readonly signal?: AbortSignal;
  readonly onStep?: (progress: StepProgress) => void;
}

/** Denoise stage: the scheduler loop on the UNet (+ ControlNet); `input.start.latents` is denoised in place. */
export async function denoiseStage(sessions: ModelSessions, input: DenoiseStageInput): Promise<DenoiseStats> {
  const { prepared, frame, start, signal, onStep } = input;
  const { options: o, set, useCfg } = prepared;
  const batch: 1 | 2 = useCfg ? 2 : 1;
  const unet = await sessions.get('unet');
  const controlnet = set.form === 'split' ? await sessions.get('controlnet') : undefined;
  const stats = await denoise(controlnet ? { unet, controlnet } : { unet }, {
    scheduler: input.scheduler,
    text: input.text,
    batch,
    guidance: o.guidance,
    control: input.control,
    controlScale: o.controlScale,
    controlStart: o.controlStart,
    controlEnd: o.controlEnd,
    latents: start.latents,
    latentHeight: frame.latentHeight,
    latentWidth: frame.latentWidth,
    blend: { original: input.original, noise: start.noise, mask: frame.latentRoi },
    rng: start.rng,
    ...(set.isLcm ? { timestepCond: guidanceEmbedding(o.guidance, 256, batch) } : {}),
    splitBatch: input.splitBatch,
    ...(signal ? { signal } : {}),
    ...(onStep ? { onStep } : {}),
  });
  await sessions.done('unet', 'controlnet');
  throwIfCancelled(signal);
  return stats;
}

/** Decode stage: latents → RGB at the working size (on tiles when `tiled`). */
export async function decodeStage(
  sessions: ModelSessions,
  latents: Float32Array,
  frame: FramePlan,
  tiled: boolean,
): Promise<RgbImage> {
  const decoder = await sessions.get('vae_decoder');
  const image = await vaeDecode(decoder, latents, frame.latentHeight, frame.latentWidth, tiled);
  await sessions.done('vae_decoder');
  return image;
}

/**
 * Composite stage: the decoded working frame, converted back into the source's profile inside the blend region,
 * blended into the file's own stored values (everything else stays as stored), plus an sRGB rendering for the screen.
 */
export async function compositeStage(
  stored: StoredPixels,
  decoded: RgbImage,
  prepared: PreparedEdit,
  frame: FramePlan,
): Promise<{ composite: StoredComposite; view: { rgb: RgbImage; alpha: GrayImage | null } }> {
  const { options: o, mask, source } = prepared;
  const blendMask = compositeMask(mask, frame.prep.frame, o.dilatePx, o.featherPx);
  const { colour } = source;
  const composite = await compositeStored(
    stored,
    colour,
    source.info.orientation,
    decoded,
    frame.prep.frame,
    blendMask,
    o.keepLightness,
  );
  return { composite, view: await renderSrgb(composite.image, colour, source.info.orientation) };
}
