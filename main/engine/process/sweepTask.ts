import type { EditParams, EditParamValues, ProviderPerRole } from '../../../shared/api';
import type { Mask, Rect, RgbImage } from '../../../shared/image/types';
import { cropTile, sweepCrop } from '../../sweep/contactSheet';
import { runSweep, type SweepSummary } from '../sweep';
import { editOptionsOf, processEngine, type EditValue } from './editTask';
import type { TaskContext } from './tasks';
import { modelHashCachePath } from '../hashes';

/** A sweep (issue 15): the edit's parameters, and each cell's values over them. */
export interface SweepTask {
  readonly kind: 'sweep';
  /** The image file's bytes, exactly as opened. */
  readonly imageBytes: Uint8Array;
  readonly mask: Mask;
  readonly params: EditParams;
  readonly cells: readonly Partial<EditParamValues>[];
  readonly modelsDir: string;
  readonly providerPerRole?: ProviderPerRole;
}

/** Every cell's result as an edit's, with its crop of the region as a tile. */
export interface SweepValue {
  readonly kind: 'sweep';
  readonly results: readonly (EditValue['results'][number] & { readonly tile: RgbImage })[];
  readonly crop: Rect;
  readonly shared: SweepSummary['shared'];
  readonly provider: string;
}

/** Runs a sweep in the engine process: step progress over the whole grid, no previews (the tiles are the view). */
export async function runSweepTask(task: SweepTask, context: TaskContext): Promise<SweepValue> {
  const { params } = task;
  const crop = sweepCrop(task.mask, (params.dilatePx ?? 0) + (params.featherPx ?? 0));
  const results: SweepValue['results'][number][] = [];
  let isLoading = false;
  const engine = processEngine();
  const summary = await engine.exclusive(() =>
    runSweep(engine, {
      image: task.imageBytes,
      mask: task.mask,
      options: editOptionsOf({ ...params, variations: 1 }, task.providerPerRole),
      cells: task.cells,
      modelsDir: task.modelsDir,
      hashCachePath: modelHashCachePath(task.modelsDir),
      signal: context.signal,
      onProgress: (cell, cells, progress) => {
        if (progress.type !== 'step') {
          if (progress.type === 'loading' && !isLoading) context.progress(progress);
          isLoading ||= progress.type === 'loading';
          return;
        }
        // Each cell is one variation: its steps are i of n.
        context.progress({ type: 'step', i: cell * progress.n + progress.i, n: cells * progress.n });
      },
      onCell: async (_, v) => {
        const tile = await cropTile(v.rgb, crop);
        results.push({
          rgb: v.rgb,
          alpha: v.alpha,
          seed: v.seed,
          metadata: v.metadata,
          stored: v.stored,
          recipe: v.recipe,
          tile,
        });
      },
    }),
  );
  const provider = results[0]?.recipe.providers.unet ?? Object.values(results[0]?.recipe.providers ?? {})[0] ?? 'cpu';
  return { kind: 'sweep', results, crop, shared: summary.shared, provider };
}
