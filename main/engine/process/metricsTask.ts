import type { CompareMetrics } from '../../../shared/api/metrics';
import { throwIfCancelled } from '../../../shared/errors';
import { maskBoundingBox } from '../../../shared/image/mask';
import type { Mask, RgbImage } from '../../../shared/image/types';
import { hardRegion } from '../../eval/masks';
import { locateMetricModels, missingModelsLine, type MetricRole } from '../../eval/models/locate';
import { MetricModels } from '../../eval/models/metricModels';
import { cropRgb } from '../../eval/models/pixels';
import { keepWeights, psnrMse } from '../../eval/pixels';
import type { TaskContext } from './tasks';

/** The compare bar's metrics of one result against the image it was made from. */
export interface MetricsTask {
  readonly kind: 'metrics';
  readonly original: RgbImage;
  readonly edited: RgbImage;
  readonly mask: Mask;
  readonly prompt?: string;
  readonly modelsDir: string;
}

export interface MetricsValue {
  readonly kind: 'metrics';
  readonly metrics: CompareMetrics;
}

const roles: readonly MetricRole[] = ['lpips', 'clip'];
/** The compare bar measures LPIPS with the long side at most this (a 24 MP photo's AlexNet features are ~1 GB). */
export const lpipsMaxSide = 1024;
let cached: { key: string; models: MetricModels } | undefined;

/** The installed LPIPS and CLIP models, kept loaded while the same ones are installed. */
async function modelsFor(modelsDir: string): Promise<{ models: MetricModels; missing: readonly MetricRole[] }> {
  const { found, missing } = await locateMetricModels(modelsDir, roles);
  const key = JSON.stringify(found);
  if (cached?.key !== key) {
    await cached?.models.release();
    cached = { key, models: new MetricModels(found) };
  }
  return { models: cached.models, missing };
}

/** PSNR and LPIPS outside the hard region, and the CLIP score of the prompt on the region's crop. */
export async function runMetricsTask(task: MetricsTask, context: TaskContext): Promise<MetricsValue> {
  const region = hardRegion(task.mask);
  const keep = keepWeights(region);
  const { psnr } = psnrMse(task.original, task.edited, keep);
  const { models, missing } = await modelsFor(task.modelsDir);
  throwIfCancelled(context.signal);
  const measured = keep.some((k) => k === 1);
  const lpips =
    models.has('lpips') && measured ? await models.lpips(task.original, task.edited, keep, lpipsMaxSide) : null;
  throwIfCancelled(context.signal);
  const box = maskBoundingBox(region, 128);
  const prompt = task.prompt?.trim();
  const clipRegion =
    models.has('clip') && box && prompt
      ? await models.clipScore(cropRgb(task.edited, box), await models.textEmbeds(prompt))
      : null;
  const isInfinite = psnr === Number.POSITIVE_INFINITY;
  return {
    kind: 'metrics',
    metrics: {
      psnr: isInfinite || !measured ? null : psnr,
      psnrInfinite: isInfinite && measured,
      lpips,
      clipRegion,
      note: missingModelsLine(missing),
    },
  };
}
