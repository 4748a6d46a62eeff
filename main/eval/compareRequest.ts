/**
 * `metrics:compare` in main: gathers the pixels (stored images, the region) and hands the work to an engine process
 * of its own, so metric models never run in main's event loop nor wait behind an edit's denoising steps.
 */
import type { CompareMetrics, RequestOf } from '../../shared/api';
import { invalidArgument } from '../../shared/errors';
import type { Mask } from '../../shared/image/types';
import type { EnginePool } from '../services/engines';
import type { ImageStore } from '../services/images';

/** The engine queue the compare bar's metrics run on. */
export const metricsDevice = 'metrics';

export async function compareMetrics(
  images: ImageStore,
  engines: EnginePool,
  modelsDir: string,
  request: RequestOf<'metrics:compare'>,
): Promise<CompareMetrics> {
  const original = images.rgb(request.originalId).rgb;
  const edited = images.rgb(request.resultId).rgb;
  const mask: Mask = 'maskId' in request.roi ? images.mask(request.roi.maskId) : request.roi.mask;
  if (original.width !== edited.width || original.height !== edited.height) {
    throw invalidArgument(
      `the result is ${edited.width}×${edited.height} but the original is ${original.width}×${original.height}`,
    );
  }
  if (mask.width !== original.width || mask.height !== original.height) {
    throw invalidArgument(`the mask is ${mask.width}×${mask.height}, the image ${original.width}×${original.height}`);
  }
  const prompt = request.prompt;
  const value = await engines.client(metricsDevice).run({
    kind: 'metrics',
    original,
    edited,
    mask,
    modelsDir,
    ...(prompt === undefined ? {} : { prompt }),
  });
  if (value.kind !== 'metrics') throw new Error('the engine answered the metrics with another task');
  return value.metrics;
}
