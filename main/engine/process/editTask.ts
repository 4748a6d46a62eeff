import type { EditParams, ProviderPerRole } from '../../../shared/api';
import type { GrayImage, Mask, RgbImage } from '../../../shared/image/types';
import { EditEngine, type EditOptions } from '../pipeline';
import type { StoredComposite } from '../compositeStored';
import { modelHashCachePath } from '../hashes';
import type { EditRecipe } from '../recipe';
import type { MemoryLevers } from '../memoryPlan';
import { foregroundIdle } from './foreground';
import type { TaskContext } from './tasks';

/** One IIR edit: the original as encoded bytes (the engine decodes just the frame it needs), its RoI (imagePx). */
export interface EditTask {
  readonly kind: 'edit';
  /** The image file's bytes, exactly as opened (so the composite's untouched pixels equal main's copy). */
  readonly imageBytes: Uint8Array;
  readonly mask: Mask;
  readonly params: EditParams;
  readonly modelsDir: string;
  /** The user's per-model provider pins (settings), over `params.provider`. */
  readonly providerPerRole?: ProviderPerRole;
  /** The memory levers main chose before Generate (editPlans.ts); planned here when absent. */
  readonly memory?: MemoryLevers;
  /** The engine process's CPU thread budget (`iir worker --threads`); every core without. */
  readonly threads?: number;
  /** false: no step previews (a batch photo, which nobody watches): each costs a latent projection and its transfer. */
  readonly previews?: boolean;
}

/** The edited images, one per variation, at full resolution with the recipe as file metadata. */
export interface EditValue {
  readonly kind: 'edit';
  readonly results: readonly {
    readonly rgb: RgbImage;
    readonly alpha: GrayImage | null;
    readonly seed: number;
    readonly metadata: Readonly<Record<string, string>>;
    /** The result in the original file's stored values, and where they may differ. */
    readonly stored: StoredComposite;
    readonly recipe: EditRecipe;
  }[];
  /** The provider that ran the UNet. */
  readonly provider: string;
  /** The roles whose sessions this edit created (none when a warm-up or the previous edit had loaded them). */
  readonly sessionLoads: readonly string[];
}

/** Approximate previews cost a latent projection each: make them at most this often. */
const previewIntervalMs = 250;

// One engine per process keeps the last model set's sessions loaded between edits (and sweeps).
let engine: EditEngine | undefined;

/** The engine process's one engine. */
export function processEngine(): EditEngine {
  return (engine ??= new EditEngine());
}

/**
 * Warm-up (a document opened): creates the sessions an edit of an image of `width` × `height` with `params` will
 * use, in this process's engine, so Generate starts its first step without creating any.
 */
export interface WarmUpTask {
  readonly kind: 'warmup';
  readonly params: EditParams;
  readonly modelsDir: string;
  readonly providerPerRole?: ProviderPerRole;
  readonly width: number;
  readonly height: number;
  /** The levers the edit will run with (main chose them): the warm-up loads what they keep loaded. */
  readonly memory?: MemoryLevers;
}

/** The roles loaded, and the expected peak of an edit with those settings (bytes). */
export interface WarmUpValue {
  readonly kind: 'warmup';
  readonly loaded: readonly string[];
  readonly expectedPeak: number;
}

/** Runs a warm-up in the engine process: cancellable between sessions, and a search goes first. */
export async function runWarmUpTask(task: WarmUpTask, context: TaskContext): Promise<WarmUpValue> {
  const { modelsDir, width, height, memory } = task;
  const options = editOptionsOf(task.params, task.providerPerRole);
  const hashCachePath = modelHashCachePath(modelsDir);
  const request = { modelsDir, options, hashCachePath, signal: context.signal, ...(memory ? { memory } : {}) };
  const warm = await processEngine().warmUp(request, { width, height }, foregroundIdle);
  return { kind: 'warmup', loaded: warm.loaded, expectedPeak: warm.memory.estimate };
}

/** The engine's options for the API's edit parameters (and the user's per-model provider pins, the thread budget). */
export function editOptionsOf(params: EditParams, providerPerRole?: ProviderPerRole, threads?: number): EditOptions {
  return {
    prompt: params.prompt,
    negativePrompt: params.negativePrompt,
    noise: params.noise,
    gray: params.gray,
    noiseScope: params.noiseScope,
    cannyLow: params.cannyLow,
    cannyHigh: params.cannyHigh,
    steps: params.steps,
    guidance: params.guidance,
    controlScale: params.controlScale,
    controlStart: params.controlStart,
    controlEnd: params.controlEnd,
    scheduler: params.scheduler,
    seed: params.seed,
    variations: params.variations,
    size: params.size,
    focus: params.focus,
    provider: params.provider,
    ...(providerPerRole ? { providerPerRole } : {}),
    ...(threads === undefined ? {} : { threads }),
    lowMemory: params.lowMemory,
    keepLightness: params.keepLightness,
    ...(params.strength === undefined ? {} : { strength: params.strength }),
    ...(params.featherPx === undefined ? {} : { featherPx: params.featherPx }),
    ...(params.dilatePx === undefined ? {} : { dilatePx: params.dilatePx }),
    ...(params.sd === undefined ? {} : { sd: params.sd }),
    ...(params.controlnet === undefined ? {} : { controlnet: params.controlnet }),
  };
}

/** Runs an edit in the engine process. */
export async function runEditTask(task: EditTask, context: TaskContext): Promise<EditValue> {
  const options = editOptionsOf(task.params, task.providerPerRole, task.threads);
  let lastPreviewAt = Number.NEGATIVE_INFINITY;
  const stepsPerVariation = (n: number): number => n / task.params.variations;
  const result = await processEngine().edit({
    image: task.imageBytes,
    mask: task.mask,
    options,
    modelsDir: task.modelsDir,
    hashCachePath: modelHashCachePath(task.modelsDir),
    signal: context.signal,
    ...(task.memory ? { memory: task.memory } : {}),
    onProgress: (progress) => {
      if (progress.type !== 'step') {
        if (progress.type === 'loading') context.progress(progress);
        return;
      }
      const { i, n } = progress;
      // A preview at most every 250 ms, and always at the end of each variation.
      const now = performance.now();
      const isPreviewDue =
        task.previews !== false && (now - lastPreviewAt >= previewIntervalMs || i % stepsPerVariation(n) === 0);
      if (isPreviewDue) lastPreviewAt = now;
      context.progress({ type: 'step', i, n, ...(isPreviewDue ? { preview: progress.preview() } : {}) });
    },
  });
  return {
    kind: 'edit',
    results: result.variations.map((variation) => ({
      rgb: variation.rgb,
      alpha: variation.alpha,
      seed: variation.seed,
      metadata: variation.metadata,
      stored: variation.stored,
      recipe: variation.recipe,
    })),
    provider: result.providers.unet ?? Object.values(result.providers)[0] ?? 'cpu',
    sessionLoads: result.sessionLoads.map((load) => load.role),
  };
}
