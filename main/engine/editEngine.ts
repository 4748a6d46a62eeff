/**
 * {@link EditEngine}: strings the edit stages (stages.ts) together per variation, times them, reports progress, and
 * keeps the last model set's sessions loaded between edits (unless low-memory mode releases each stage after use).
 */
import { createScheduler } from '../../shared/engine/schedulers';
import { computeWorkingFrame } from '../../shared/image/geometry';
import { throwIfCancelled } from '../../shared/errors';
import type { StoredPixels } from '../image/stored';
import { reseedPreprocess } from '../image/preprocess';
import type { StepProgress } from './denoise';
import type { MemoryPlan } from './memoryPlan';
import { rolesOf, type ModelSet } from './modelSet';
import {
  resolveOptions,
  type EditRequest,
  type EditResult,
  type EditStage,
  type EditVariation,
  type Resolved,
} from './pipeline';
import type { ProviderRole, ProviderSettings } from './providers';
import { recipeMetadata } from './recipe';
import { ModelSessions } from './sessions';
import {
  buildRecipe,
  compositeStage,
  decodeStage,
  denoiseStage,
  encodeImage,
  encodeTextStage,
  hashModelSet,
  planFor,
  prepareEdit,
  prepareModels,
  prepareFrame,
  startLatents,
  type FramePlan,
  type ModelRecords,
  type PreparedEdit,
} from './stages';
import type { TextConditioning } from './text';

/** What every variation of one edit shares. */
export interface VariationContext {
  readonly request: EditRequest;
  readonly prepared: PreparedEdit;
  readonly sessions: ModelSessions;
  readonly frame: FramePlan;
  readonly text: TextConditioning;
  readonly original: Float32Array;
  readonly memory: MemoryPlan;
  /** The file's own stored values (orientation, depth, colour model), composited into per variation. */
  readonly stored: StoredPixels;
  readonly hashes: Promise<ModelRecords>;
  readonly time: <T>(stage: EditStage, variation: number, work: () => Promise<T>) => Promise<T>;
}

function setKey(set: ModelSet, settings: ProviderSettings, memory: MemoryPlan): string {
  const { stageByStage, releaseEncoders, cpuArena, attentionSlices } = memory;
  return JSON.stringify([
    set.files,
    set.tokenizerDir,
    settings,
    stageByStage,
    releaseEncoders,
    cpuArena,
    attentionSlices,
  ]);
}

/** The roles a plan releases after their stage, besides low-memory mode's every stage. */
const encoderRoles: readonly ProviderRole[] = ['text_encoder', 'vae_encoder'];

/** Milliseconds per stage, and the timer that adds to them (reporting each stage as it starts). */
export interface StageTimer {
  readonly timings: Record<EditStage, number>;
  readonly time: <T>(stage: EditStage, variation: number, work: () => Promise<T>) => Promise<T>;
}

/** A {@link StageTimer} that calls `report` as each stage starts. */
export function stageTimer(report: (stage: EditStage, variation: number) => void): StageTimer {
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
    report(stage, variation);
    const started = performance.now();
    try {
      return await work();
    } finally {
      timings[stage] += performance.now() - started;
    }
  };
  return { timings, time };
}

/** Runs IIR edits, keeping the last model set's sessions loaded between edits. */
export class EditEngine {
  private sessions: ModelSessions | undefined;
  private key: string | undefined;
  private turn: Promise<unknown> = Promise.resolve();

  /**
   * Runs `work` after every earlier edit, warm-up and sweep has ended: an edit that arrives while a warm-up loads
   * waits for it and finds its sessions, instead of loading them a second time beside it.
   */
  exclusive<T>(work: () => Promise<T>): Promise<T> {
    const run = this.turn.then(work, work);
    this.turn = run.catch(() => undefined);
    return run;
  }

  /**
   * Runs one edit (all its variations). In low-memory mode (chosen, or planned for a machine short of memory) no
   * session outlives the edit, even when it fails or is cancelled half-way.
   */
  edit(request: EditRequest): Promise<EditResult> {
    return this.exclusive(async () => {
      try {
        return await this.run(request);
      } catch (error) {
        if (request.options.lowMemory || this.sessions?.lowMemory) await this.sessions?.releaseAll();
        throw error;
      }
    });
  }

  /** The sessions of `prepared`'s model set: the loaded ones when the set, settings and plan are unchanged. */
  private async sessionsFor(
    prepared: Pick<PreparedEdit, 'set' | 'settings' | 'report'>,
    memory: MemoryPlan,
    cacheDir?: string,
  ): Promise<ModelSessions> {
    const { set, settings, report } = prepared;
    const key = setKey(set, settings, memory) + (cacheDir ?? '');
    if (this.key !== key || !this.sessions) {
      await this.dispose();
      const paths: Partial<Record<ProviderRole, string>> = { ...set.files, unet: set.fusedGraph ?? set.files.unet };
      const releaseAfterUse = memory.releaseEncoders ? encoderRoles : [];
      const { stageByStage: lowMemory, cpuArena, attentionSlices } = memory;
      const cache = cacheDir !== undefined ? { cacheDir } : {};
      const levers = { lowMemory, releaseAfterUse, cpuArena, attentionSlices };
      this.sessions = new ModelSessions(paths, { report, settings, ...levers, ...cache });
      this.key = key;
    }
    return this.sessions;
  }

  private async run(request: EditRequest): Promise<EditResult> {
    const o = resolveOptions(request.options);
    const { timings, time } = stageTimer((stage) =>
      request.onProgress?.(stage === 'load' ? { type: 'loading' } : { type: 'stage', stage }),
    );
    const { context, warnings, loadsBefore } = await this.shared(request, o, time);
    const variations: EditVariation[] = [];
    for (let v = 0; v < o.variations; v++) variations.push(await this.variation(context, v));
    const providers = variations[0]?.recipe.providers ?? {};
    const { memory, sessions, prepared } = context;
    const sessionLoads = sessions.loads.slice(loadsBefore);
    return { variations, timings, providers, warnings, modelSet: prepared.set, memory, sessionLoads };
  }

  /**
   * What every variation of an edit with options `o` shares (sweep.ts shares it across a grid's cells): the model
   * set and sessions, the text, the stored pixels, the working frame and the original's latents.
   */
  async shared(
    request: EditRequest,
    o: Resolved,
    time: StageTimer['time'],
  ): Promise<{ context: VariationContext; warnings: string[]; loadsBefore: number }> {
    const { signal } = request;
    throwIfCancelled(signal);
    const prepared = await prepareEdit(request, o);
    // Decode, mask, Canny and the original's latents do not depend on the seed: once per edit, not per variation.
    const frame = await time('preprocess', 0, () => prepareFrame(prepared, signal));
    const memory = await planFor(prepared, frame.prep.frame.width, frame.prep.frame.height, request.memory);
    const sessions = await this.sessionsFor(prepared, memory, request.sessionCacheDir);
    const loadsBefore = sessions.loads.length;
    const warnings = [...prepared.warnings];
    if (!memory.stageByStage) {
      await time('load', 0, async () => {
        for (const role of rolesOf(prepared.set)) await sessions.get(role);
      });
    }
    const text = await time('text', 0, () => encodeTextStage(sessions, prepared));
    warnings.push(...text.warnings);
    throwIfCancelled(signal);
    const stored = await time('composite', 0, () => prepared.source.decodeStored());
    if (prepared.source.colour.warning) warnings.push(prepared.source.colour.warning);
    const hashes = hashModelSet(prepared.set, request.hashCachePath);
    hashes.catch(() => undefined); // awaited per variation; an edit that fails first must not leave it unhandled
    const { tiledVae } = memory;
    const original = await time('encode', 0, () =>
      encodeImage(sessions, frame.prep.working, frame.fromImage, tiledVae),
    );
    const context = { request, prepared, sessions, frame, text, original, memory, stored, hashes, time };
    return { context, warnings, loadsBefore };
  }

  /**
   * One variation: reseeded IIR image → start latents → denoise → decode → composite → recipe. Variation 0 uses
   * `c.frame.prep` as it is (sweep.ts hands each cell a context whose frame is already that cell's).
   */
  async variation(c: VariationContext, v: number): Promise<EditVariation> {
    const { request, prepared, sessions, frame, time } = c;
    const { options: o, strength } = prepared;
    const { signal } = request;
    const seed = o.seed + v;
    throwIfCancelled(signal);
    const iirOptions = { noise: o.noise, gray: o.gray, noiseScope: o.noiseScope };
    const prep =
      v === 0
        ? frame.prep
        : await time('preprocess', v, () => Promise.resolve(reseedPreprocess(frame.prep, iirOptions, seed)));
    const scheduler = createScheduler(o.scheduler, { steps: o.steps, strength });
    const { tiledVae, splitBatch } = c.memory;
    const image = frame.fromImage
      ? await time('encode', v, () => encodeImage(sessions, prep.iir, false, tiledVae))
      : undefined;
    throwIfCancelled(signal);
    const start = startLatents(scheduler, c.original.length, seed, image);
    const onStep = (p: StepProgress): void =>
      request.onProgress?.({
        type: 'step',
        i: v * p.total + p.step,
        n: o.variations * p.total,
        preview: () => p.preview(),
      });
    const input = { prepared, frame, scheduler, text: c.text.hiddenStates, control: prep.control, start };
    const stats = await time('denoise', v, () =>
      denoiseStage(sessions, { ...input, original: c.original, splitBatch, onStep, ...(signal ? { signal } : {}) }),
    );
    const decoded = await time('decode', v, () => decodeStage(sessions, start.latents, frame, tiledVae));
    const models = await c.hashes;
    const { composite, view } = await time('composite', v, () => compositeStage(c.stored, decoded, prepared, frame));
    const recipe = buildRecipe({ prepared, frame, seed, timesteps: scheduler.timesteps, models, sessions });
    const metadata = recipeMetadata(recipe);
    return { seed, rgb: view.rgb, alpha: view.alpha, stored: composite, recipe, metadata, denoise: stats };
  }

  /**
   * Creates the sessions an edit of an image of `imageSize` with `request.options` will use, ahead of Generate (a
   * document opened): the model set, providers and memory plan are settled as the edit would settle them, so the
   * edit then finds its sessions loaded. Nothing is loaded when the plan runs stage by stage (low-memory). Between
   * sessions it stops when `request.signal` is aborted, and waits for `yieldTo` (a search in progress goes first).
   */
  warmUp(
    request: Omit<EditRequest, 'image' | 'mask'>,
    imageSize: { width: number; height: number },
    yieldTo: () => Promise<void> = () => Promise.resolve(),
  ): Promise<{ loaded: ProviderRole[]; memory: MemoryPlan }> {
    return this.exclusive(async () => {
      const o = resolveOptions(request.options);
      throwIfCancelled(request.signal);
      const prepared = await prepareModels(request, o);
      const { width, height } = computeWorkingFrame(imageSize, { shortSide: o.size });
      const memory = await planFor(prepared, width, height, request.memory);
      const sessions = await this.sessionsFor(prepared, memory, request.sessionCacheDir);
      if (memory.stageByStage) return { loaded: [], memory };
      for (const role of rolesOf(prepared.set)) {
        await yieldTo();
        throwIfCancelled(request.signal);
        await sessions.get(role);
      }
      // The recipe's hashes of every model file, in the background: the first edit then does not compete with them.
      hashModelSet(prepared.set, request.hashCachePath).catch(() => undefined);
      return { loaded: sessions.loadedRoles(), memory };
    });
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
