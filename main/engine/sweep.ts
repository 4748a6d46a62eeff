/**
 * Sweeps (issue 15): one edit's grid of cells that differ in one or two declared parameters. Like an edit's
 * variations, the cells share what does not depend on them: the decoded photo and its stored values, the model
 * sessions, the text (unless classifier-free guidance turns on or off), and per working frame (size, focus, Canny)
 * the frame, mask, Canny edges and the original's VAE latents. A cell that changes only σ, colour removal or the seed
 * re-draws just the IIR image (as a variation does); one that changes the blend re-grows just the latent RoI.
 */
import { editParams, type EditParamValues } from '../../shared/api/editParams';
import { paramDefault } from '../../shared/api/editParamSchema';
import { throwIfCancelled } from '../../shared/errors';
import { reseedPreprocess } from '../image/preprocess';
import { latentMask } from './composite';
import { stageTimer, type EditEngine, type VariationContext } from './editEngine';
import { resolveOptions, type EditProgress, type EditRequest, type EditStage, type EditVariation } from './pipeline';
import type { Resolved } from './pipeline';
import { encodeImage, encodeTextStage, planFor, prepareFrame, type FramePlan, type PreparedEdit } from './stages';
import type { MemoryPlan } from './memoryPlan';
import type { TextConditioning } from './text';

/** A sweep: the base edit, and each cell's parameters over it. */
export interface SweepRequest extends Omit<EditRequest, 'onProgress'> {
  readonly cells: readonly Partial<EditParamValues>[];
  /** Progress of cell `cell` (0-based) of `cells`. */
  readonly onProgress?: (cell: number, cells: number, progress: EditProgress) => void;
  /** Each finished cell, in order; the sweep waits for it (so a caller can write it and let it go). */
  readonly onCell: (cell: number, variation: EditVariation) => Promise<void> | void;
}

export interface SweepSummary {
  /** Milliseconds per stage over the whole grid. */
  readonly timings: Readonly<Record<EditStage, number>>;
  /** How often the shared work ran: working frames prepared, original latents encoded, texts encoded. */
  readonly shared: { readonly frames: number; readonly originals: number; readonly texts: number };
  readonly warnings: readonly string[];
}

/**
 * One working frame (size, focus, Canny), the original's latents in it and its memory plan: VAE tiling depends on the
 * frame's size, so a cell tiles as the single edit with its settings would.
 */
interface FrameEntry {
  readonly frame: FramePlan;
  readonly original: Float32Array;
  readonly memory: MemoryPlan;
}

const frameKey = (o: Resolved): string => JSON.stringify([o.size, o.focus, o.cannyLow, o.cannyHigh]);

/** Each cell's options, all checked before any model runs (one-line errors naming the cell). */
function cellOptions(request: SweepRequest): Resolved[] {
  return request.cells.map((cell, i) => {
    try {
      return resolveOptions({ ...request.options, ...cell, variations: 1 });
    } catch (error) {
      if (error instanceof Error) error.message = `cell ${i + 1}: ${error.message}`;
      throw error;
    }
  });
}

/** The cell's frame: the shared one with the IIR image re-drawn and the latent RoI re-grown only where needed. */
function cellFrame(entry: FrameEntry, made: Resolved, o: Resolved, prepared: PreparedEdit): FramePlan {
  const { frame } = entry;
  const redraw =
    made.seed !== o.seed || made.noise !== o.noise || made.gray !== o.gray || made.noiseScope !== o.noiseScope;
  const prep = redraw ? reseedPreprocess(frame.prep, o, o.seed) : frame.prep;
  const grow = (p: Resolved): number => Math.ceil((p.dilatePx + p.featherPx) * frame.prep.frame.scale) + 8;
  const latentRoi = grow(made) === grow(o) ? frame.latentRoi : latentMask(prep.workingMask, grow(o));
  const fromImage = prepared.set.engine === 'iir-training-free' || prepared.strength < 1;
  return { ...frame, prep, latentRoi, fromImage };
}

/**
 * Runs every cell of a sweep on `engine`, handing each to `request.onCell` as it finishes. In low-memory mode no
 * session outlives a sweep that fails or is cancelled half-way (as with an edit).
 */
export async function runSweep(engine: EditEngine, request: SweepRequest): Promise<SweepSummary> {
  const options = cellOptions(request);
  try {
    return await runCells(engine, request, options);
  } catch (error) {
    if (options[0]?.lowMemory) await engine.dispose();
    throw error;
  }
}

async function runCells(engine: EditEngine, request: SweepRequest, options: Resolved[]): Promise<SweepSummary> {
  const cells = options.length;
  let current = 0;
  const report = (progress: EditProgress): void => request.onProgress?.(current, cells, progress);
  const { timings, time } = stageTimer((stage) =>
    report(stage === 'load' ? { type: 'loading' } : { type: 'stage', stage }),
  );
  const base = options[0]!;
  const edit = { ...request, options: { ...request.options, ...request.cells[0], variations: 1 }, onProgress: report };
  const { context, warnings } = await engine.shared(edit, base, time);
  const { set } = context.prepared;
  const frames = new Map<string, FrameEntry & { made: Resolved }>([
    [frameKey(base), { frame: context.frame, original: context.original, memory: context.memory, made: base }],
  ]);
  const texts = new Map<boolean, TextConditioning>([[context.prepared.useCfg, context.text]]);
  for (const [i, o] of options.entries()) {
    current = i;
    throwIfCancelled(request.signal);
    const strength = o.strength ?? paramDefault(editParams.strength, set.engine);
    const prepared: PreparedEdit = { ...context.prepared, options: o, strength, useCfg: !set.isLcm && o.guidance > 1 };
    let text = texts.get(prepared.useCfg);
    if (!text)
      texts.set(prepared.useCfg, (text = await time('text', 0, () => encodeTextStage(context.sessions, prepared))));
    let entry = frames.get(frameKey(o));
    if (!entry) {
      const frame = await time('preprocess', 0, () => prepareFrame(prepared, request.signal));
      const memory = await planFor(prepared, frame.prep.frame.width, frame.prep.frame.height);
      const original = await time('encode', 0, () =>
        encodeImage(context.sessions, frame.prep.working, frame.fromImage, memory.tiledVae),
      );
      frames.set(frameKey(o), (entry = { frame, original, memory, made: o }));
    }
    const frame = cellFrame(entry, entry.made, o, prepared);
    const { original, memory } = entry;
    const cell: VariationContext = { ...context, prepared, text, frame, original, memory };
    await request.onCell(i, await engine.variation(cell, 0));
  }
  const shared = { frames: frames.size, originals: frames.size, texts: texts.size };
  return { timings, shared, warnings };
}
