import { type ImageId, type ImageInfo, type JobResult, editParams, sweepCells } from '../../shared/api';
import { invalidArgument } from '../../shared/errors';
import type { Mask } from '../../shared/image/types';
import type { EngineProgress } from '../engine/process/protocol';
import type { SweepValue } from '../engine/process/sweepTask';
import type { Handlers } from '../ipc/handlers';
import { storeResults } from './editResults';
import type { HandlerServices } from './handlers';
import type { JobContext } from './jobs';

/** What the sweep handler borrows from the edit handlers: the device queue of a provider, progress forwarding. */
export interface SweepHandlerHelpers {
  readonly deviceOf: (provider: string) => string;
  readonly forward: (context: JobContext, previews: ImageId[]) => (progress: EngineProgress) => void;
  /** A sweep plans its own memory per cell: a background warm-up is cancelled before it runs (warmUps.ts). */
  readonly cancelWarmUp?: () => void;
}

/**
 * `sweep:start` (issue 15): one job that runs a grid of edits in the engine process (sharing the work that does not
 * depend on a cell) and stores every cell's full-resolution result, with its recipe, and its tile of the region.
 */
export function createSweepHandlers(
  services: Pick<HandlerServices, 'images' | 'jobs' | 'engines' | 'models' | 'settings'>,
  helpers: SweepHandlerHelpers,
): Pick<Handlers, 'sweep:start'> {
  const { images, jobs, engines, models, settings } = services;
  return {
    'sweep:start': ({ imageId, roi, params, axes }) => {
      const source = images.info(imageId);
      const mask: Mask = 'maskId' in roi ? images.mask(roi.maskId) : roi.mask;
      if (mask.width !== source.width || mask.height !== source.height) {
        throw invalidArgument(`the mask is ${mask.width}×${mask.height}, the image ${source.width}×${source.height}`);
      }
      const modelsDir = models.modelsDir();
      const device = helpers.deviceOf(params.provider);
      const cells = sweepCells(axes);
      const jobId = jobs.submit({
        kind: 'sweep',
        device,
        run: async (context): Promise<JobResult> => {
          helpers.cancelWarmUp?.();
          const imageBytes = await images.encoded(imageId);
          const value = await engines.client(device).run(
            {
              kind: 'sweep',
              imageBytes,
              mask,
              params: { ...params, lowMemory: params.lowMemory || settings.get().lowMemory },
              cells,
              modelsDir,
              providerPerRole: settings.get().providerPerRole,
            },
            { signal: context.signal, onProgress: helpers.forward(context, []) },
          );
          if (value.kind !== 'sweep') throw new Error('the engine answered a sweep with another task');
          const stored = storeCells(services.images, value, source, imageBytes);
          return {
            kind: 'sweep',
            axes: axes.map((axis) => ({ key: axis.key, values: [...axis.values] })),
            crop: value.crop,
            cells: stored.map((ids, i) => ({ ...ids, seed: value.results[i]!.seed, params: cellParams(cells[i]!) })),
            provider: value.provider,
          };
        },
      });
      return { jobId };
    },
  };
}

/** A cell's varied values, as the job result carries them. */
function cellParams(cell: Readonly<Record<string, unknown>>): Record<string, number | boolean | string> {
  const out: Record<string, number | boolean | string> = {};
  for (const [key, value] of Object.entries(cell)) {
    if (key in editParams && (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'string')) {
      out[key] = value;
    }
  }
  return out;
}

/** Stores each cell's result (exportable, with its recipe, as an edit's) and tile; answers their ids in cell order. */
function storeCells(
  images: HandlerServices['images'],
  value: SweepValue,
  source: ImageInfo,
  imageBytes: Uint8Array,
): { resultId: ImageId; tileId: ImageId }[] {
  const resultIds = storeResults(images, value, source, imageBytes);
  return value.results.map((result, i) => ({
    resultId: resultIds[i]!,
    tileId: images.addRgb('preview', result.tile).id,
  }));
}
