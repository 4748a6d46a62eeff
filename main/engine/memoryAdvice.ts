/**
 * What main tells the user about an edit's memory before Generate, and the plan the edit then runs with: the default
 * settings' levers when the machine can give them what they need, low-memory settings (each stage's models in turn)
 * picked automatically when it cannot, or because the user turned them on.
 */
import { planMemory, type MemoryPlan, type WeightBytes } from './memoryPlan';

/** Why low-memory settings are on: they are not, the user chose them, or the machine is short of memory. */
export type LowMemoryReason = 'off' | 'chosen' | 'auto';

/** The plan an edit runs with, and the figures that explain it. */
export interface MemoryAdvice {
  readonly plan: MemoryPlan;
  /** The default settings' expected peak on a machine with room for them (their own 8 GiB budget), bytes. */
  readonly defaultPeak: number;
  readonly lowMemory: LowMemoryReason;
}

/**
 * Plans an edit for `available` bytes (the machine's free memory plus what the engine could release). When the
 * default settings could only fit by running stage by stage, that is low-memory mode, picked automatically.
 */
export function adviseMemory(input: {
  readonly weights: WeightBytes;
  readonly width: number;
  readonly height: number;
  readonly cfg: boolean;
  /** The user turned low-memory mode on. */
  readonly lowMemory: boolean;
  readonly available: number;
}): MemoryAdvice {
  const { weights, width, height, cfg, available } = input;
  const defaultPeak = planMemory({ weights, width, height, cfg, lowMemory: false }).estimate;
  if (input.lowMemory) {
    return {
      plan: planMemory({ weights, width, height, cfg, lowMemory: true, available }),
      defaultPeak,
      lowMemory: 'chosen',
    };
  }
  const plan = planMemory({ weights, width, height, cfg, lowMemory: false, available });
  // Stage by stage on a machine that has what the default settings need: the working size asks for it, not the machine.
  if (!plan.stageByStage || available >= defaultPeak) return { plan, defaultPeak, lowMemory: 'off' };
  return {
    plan: planMemory({ weights, width, height, cfg, lowMemory: true, available }),
    defaultPeak,
    lowMemory: 'auto',
  };
}
