/**
 * The memory plan of an edit, made in main before Generate (issue #12): the installed models' file sizes (every file
 * each graph loads) and the machine's memory, no model loaded. The Devices and Generate panels show it, the warm-up
 * loads what it keeps, and the edit that matches it runs with exactly its levers: one plan, not one per process.
 */
import { freemem, totalmem } from 'node:os';
import { type EditParams, type EditPlan, type ImageId, type ProviderChoice, editParamsSchema } from '../../shared/api';
import { computeWorkingFrame } from '../../shared/image/geometry';
import { adviseMemory } from '../engine/memoryAdvice';
import { bareProcessBytes, leversOf, type MemoryLevers } from '../engine/memoryPlan';
import { locateModelSet } from '../engine/modelSet';
import type { WarmUpTask } from '../engine/process/editTask';
import { setWeights } from '../engine/modelFiles';
import type { EnginePool } from './engines';
import type { ImageStore } from './images';
import type { ModelService } from './models';
import type { SettingsStore } from './settings';

/** What a plan depends on besides the machine: the models, the working size, guidance and the provider. */
export interface PlanChoice {
  readonly sd?: string | undefined;
  readonly controlnet?: string | undefined;
  readonly size: number;
  readonly guidance: number;
  readonly provider: ProviderChoice;
  /** Low-memory mode asked for (the setting, or the request's own). */
  readonly lowMemory: boolean;
}

/** A plan, with what the edit and the warm-up need of it. */
export interface PlannedEdit {
  readonly plan: Omit<EditPlan, 'warming'>;
  readonly levers: MemoryLevers;
  /** Equal for two plans of the same document, choice and settings. */
  readonly inputs: string;
  /** Equal exactly when the engine runs two plans with the same sessions (a warm-up's are then the edit's). */
  readonly sessions: string;
  /** The warm-up that loads the sessions this plan keeps. */
  readonly warmUp: WarmUpTask;
}

/** The services a planner reads. */
export interface PlannerServices {
  readonly images: Pick<ImageStore, 'info'>;
  readonly engines: Pick<EnginePool, 'client'>;
  readonly models: Pick<ModelService, 'modelsDir'>;
  readonly settings: Pick<SettingsStore, 'get'>;
}

/** The choice an edit's parameters make. */
export function choiceOf(params: EditParams, settingsLowMemory: boolean): PlanChoice {
  const { sd, controlnet, size, guidance, provider } = params;
  return { sd, controlnet, size, guidance, provider, lowMemory: params.lowMemory || settingsLowMemory };
}

/** Plans edits in main, keeping the last plan for the edit that matches it. */
export class EditPlanner {
  private last: PlannedEdit | undefined;

  constructor(
    private readonly services: PlannerServices,
    /** The device queue an edit on `provider` joins (`auto` resolved). */
    private readonly deviceOf: (provider: string) => Promise<string>,
    /** Bytes the machine has free (tests pass a fixed figure). */
    private readonly free: () => number = freemem,
    private readonly total: () => number = totalmem,
  ) {}

  /** Plans afresh for the panels; an edit with the same choice then runs with this plan. */
  async plan(imageId: ImageId, choice: PlanChoice): Promise<PlannedEdit> {
    this.last = await this.compute(imageId, choice);
    return this.last;
  }

  /** The plan an edit runs with: the one the panels showed when it is for the same choice and still fits. */
  async forEdit(imageId: ImageId, choice: PlanChoice): Promise<PlannedEdit> {
    const last = this.last;
    const device = await this.deviceOf(choice.provider);
    if (last?.inputs === this.inputsOf(imageId, choice) && last.plan.expectedPeak <= this.available(device))
      return last;
    return this.plan(imageId, choice);
  }

  /** What the machine can give an edit on `device`: free memory plus what that engine holds beyond a bare process. */
  private available(device: string): number {
    const rss = this.services.engines.client(device).lastRss;
    return this.free() + Math.max(0, (rss ?? 0) - bareProcessBytes);
  }

  private inputsOf(imageId: ImageId, choice: PlanChoice): string {
    const { width, height } = this.services.images.info(imageId);
    const { providerPerRole } = this.services.settings.get();
    return JSON.stringify([this.services.models.modelsDir(), width, height, choice, providerPerRole]);
  }

  private async compute(imageId: ImageId, choice: PlanChoice): Promise<PlannedEdit> {
    const image = this.services.images.info(imageId);
    const frame = computeWorkingFrame(image, { shortSide: choice.size });
    const modelsDir = this.services.models.modelsDir();
    const { sd, controlnet, provider, guidance, size } = choice;
    const models = { ...(sd === undefined ? {} : { sd }), ...(controlnet === undefined ? {} : { controlnet }) };
    const set = await locateModelSet({ modelsDir, ...models });
    const device = await this.deviceOf(provider);
    const available = this.available(device);
    const advice = adviseMemory({
      weights: await setWeights(set),
      width: frame.width,
      height: frame.height,
      cfg: !set.isLcm && guidance > 1,
      lowMemory: choice.lowMemory,
      available,
    });
    const levers = leversOf(advice.plan);
    const { providerPerRole } = this.services.settings.get();
    const lowMemory = advice.lowMemory !== 'off';
    const params = editParamsSchema.parse({ prompt: 'warm-up', ...models, size, guidance, provider, lowMemory });
    const { budget: _budget, ...kept } = levers;
    const plan = {
      width: frame.width,
      height: frame.height,
      device,
      expectedPeak: advice.plan.estimate,
      defaultPeak: advice.defaultPeak,
      budget: advice.plan.budget,
      totalMemory: this.total(),
      availableMemory: available,
      lowMemory: advice.lowMemory,
      stageByStage: advice.plan.stageByStage,
    };
    return {
      plan,
      levers,
      inputs: this.inputsOf(imageId, choice),
      sessions: JSON.stringify([device, modelsDir, models, provider, providerPerRole, kept]),
      warmUp: {
        kind: 'warmup',
        params,
        modelsDir,
        providerPerRole,
        width: image.width,
        height: image.height,
        memory: levers,
      },
    };
  }
}
