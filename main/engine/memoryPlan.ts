/**
 * How an edit keeps its peak memory under a budget (issue #12): the expected peak of each stage on the CPU, and the
 * levers chosen, cheapest first, until the estimate fits — tiled VAE, releasing the text and VAE encoders after
 * use, classifier-free guidance as two B = 1 passes with the CPU arena off and attention in query slices, then
 * (low-memory mode) one stage's sessions at a time. At 512² on the real-scale ControlNet + UNet, slicing the
 * attention in 4 lowered the peak by 0.94 GiB and cost no CPU time per step (`npm run bench -- levers`). Default settings aim at 8 GiB at most, low-memory mode at 6 GiB, and both at what the machine
 * has free when that is less.
 *
 * The activation figures were measured on the real-scale SD1.5 set (fp32, CPU, 512², `npm run bench -- engine
 * --scale real`) and scale with the working area (convolutions) and its square (attention).
 */
import type { ProviderRole } from './providers';

const GiB = 2 ** 30;

/** Default settings keep an edit's peak under this. */
export const defaultBudget = 8 * GiB;
/** Low-memory mode keeps an edit's peak under this. */
export const lowMemoryBudget = 6 * GiB;
/** The process itself (Node, the image, buffers) before any model loads. */
export const bareProcessBytes = 0.45 * GiB;
const processBase = bareProcessBytes;
const textActivations = 0.05 * GiB;

/** Bytes each model role's files take on disk (the weights ONNX Runtime holds in memory on the CPU). */
export type WeightBytes = Partial<Record<ProviderRole, number>>;

/** The levers an edit runs with. */
export interface MemoryPlan {
  /**
   * The VAE runs on overlapping tiles (vaeTiles.ts): whenever the frame is larger than one tile, whatever the
   * memory, so that the same recipe gives the same pixels on every machine.
   */
  readonly tiledVae: boolean;
  /** The text encoder and VAE encoder are released as soon as their stage ends. */
  readonly releaseEncoders: boolean;
  /** Classifier-free guidance runs as two B = 1 passes. */
  readonly splitBatch: boolean;
  /** Every stage's sessions are released after it (only one stage's weights resident). */
  readonly stageByStage: boolean;
  /**
   * The CPU arena: on, each session keeps its largest run's blocks; off (with the split batch and stage by stage),
   * each run takes its planned block (memory patterns stay on) and gives it back.
   */
  readonly cpuArena: boolean;
  /**
   * The UNet's and ControlNet's attention in this many query slices (slicedAttention.ts): 1 runs it whole. Four
   * slices hold a quarter of the attention scores at once, the same numbers.
   */
  readonly attentionSlices: number;
  /** The estimated peak with these levers, bytes. */
  readonly estimate: number;
  /** The budget it was planned for, bytes. */
  readonly budget: number;
}

/** Activations of each stage for a working frame of `pixels`, bytes (measured at 512², scaled). */
function activations(
  pixels: number,
  tiledVae: boolean,
  slices: number,
): { unet: number; vaeDecode: number; vaeEncode: number } {
  const area = pixels / 512 ** 2;
  const vaeArea = (tiledVae ? Math.min(pixels, 320 ** 2) : pixels) / 512 ** 2;
  return {
    // UNet (or ControlNet) with B = 1: 1.5 GiB at 512², most of it the attention scores at 64 × 64 latents
    unet: (0.3 * area + (1.2 * area * area) / slices) * GiB,
    vaeDecode: 2.8 * vaeArea * GiB,
    vaeEncode: 0.6 * vaeArea * GiB,
  };
}

/** Whether the VAE runs on tiles for a working frame of `width` × `height`: when it is larger than one tile. */
export function vaeTiled(width: number, height: number): boolean {
  return width > 320 || height > 320;
}

type Levers = Omit<MemoryPlan, 'estimate' | 'budget'>;

/**
 * A plan's choices without what depends on the frame alone (the tiled VAE) or follows from it (the estimate): what
 * main decides before Generate (its panels show it) and hands the engine, which applies it to the edit's own frame.
 */
export type MemoryLevers = Omit<MemoryPlan, 'tiledVae' | 'estimate'>;

/** The levers of `plan`. */
export function leversOf(plan: MemoryPlan): MemoryLevers {
  const { releaseEncoders, splitBatch, stageByStage, cpuArena, attentionSlices, budget } = plan;
  return { releaseEncoders, splitBatch, stageByStage, cpuArena, attentionSlices, budget };
}

/** `levers` on a working frame of `width` × `height`: the VAE tiled by the frame, the peak estimated for it. */
export function applyLevers(
  weights: WeightBytes,
  width: number,
  height: number,
  cfg: boolean,
  levers: MemoryLevers,
): MemoryPlan {
  const tiled = { ...levers, tiledVae: vaeTiled(width, height) };
  return { ...tiled, estimate: estimatePeak(weights, width * height, cfg, tiled) };
}

/** The expected peak of an edit on a working frame of `pixels` with `levers`, bytes. */
export function estimatePeak(weights: WeightBytes, pixels: number, cfg: boolean, levers: Levers): number {
  const w = (role: ProviderRole): number => weights[role] ?? 0;
  const act = activations(pixels, levers.tiledVae, levers.attentionSlices);
  const batch = cfg && !levers.splitBatch ? 2 : 1;
  // arena on: each session keeps its largest run's blocks (the UNet's and the ControlNet's, power-of-two grown)
  const arena = levers.cpuArena ? 1.8 : 1;
  const diffusion = w('unet') + w('controlnet');
  if (levers.stageByStage) {
    return (
      processBase +
      Math.max(
        w('text_encoder') + textActivations,
        w('vae_encoder') + act.vaeEncode,
        diffusion + batch * act.unet,
        w('vae_decoder') + act.vaeDecode,
      )
    );
  }
  const encoders = w('text_encoder') + w('vae_encoder');
  const kept = diffusion + w('vae_decoder') + (levers.releaseEncoders ? 0 : encoders);
  return (
    processBase +
    Math.max(
      diffusion + w('vae_decoder') + encoders + act.vaeEncode * arena,
      kept + batch * act.unet * arena,
      kept + act.vaeDecode * arena,
    )
  );
}

/** The lever sets in the order they are tried: each costs more time than the one before. */
const ladder: readonly Omit<Levers, 'tiledVae'>[] = [
  { releaseEncoders: false, splitBatch: false, stageByStage: false, cpuArena: true, attentionSlices: 1 },
  { releaseEncoders: true, splitBatch: false, stageByStage: false, cpuArena: true, attentionSlices: 1 },
  { releaseEncoders: true, splitBatch: true, stageByStage: false, cpuArena: false, attentionSlices: 4 },
  { releaseEncoders: true, splitBatch: true, stageByStage: true, cpuArena: false, attentionSlices: 4 },
];

/**
 * The cheapest levers whose estimated peak fits the budget: 8 GiB (6 GiB in low-memory mode) or `available` bytes
 * when less. Low-memory mode always runs stage by stage; when nothing fits, every lever is on.
 */
export function planMemory(input: {
  readonly weights: WeightBytes;
  /** The working frame, pixels. */
  readonly width: number;
  readonly height: number;
  readonly cfg: boolean;
  readonly lowMemory: boolean;
  /** Bytes the machine can give this edit (free memory plus what its loaded sessions hold). */
  readonly available?: number;
}): MemoryPlan {
  const limit = input.lowMemory ? lowMemoryBudget : defaultBudget;
  const budget = Math.min(limit, input.available ?? Infinity);
  const tiledVae = vaeTiled(input.width, input.height);
  const pixels = input.width * input.height;
  const candidates = input.lowMemory ? ladder.filter((l) => l.stageByStage) : ladder;
  let plan: MemoryPlan | undefined;
  for (const steps of candidates) {
    const levers = { ...steps, tiledVae };
    plan = { ...levers, estimate: estimatePeak(input.weights, pixels, input.cfg, levers), budget };
    if (plan.estimate <= budget) return plan;
  }
  return plan!; // nothing fits: every lever on, and the estimate says by how much it may not
}
