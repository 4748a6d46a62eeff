/**
 * How one evaluation is written: JSON (an infinite PSNR is `null` with `psnrInfinite: true`, since JSON has no
 * infinity) and text lines (where it is "∞").
 */
import type { EvalMetrics, RegionMetrics } from './evaluate';
import { missingModelsLine } from './models/locate';

/** The JSON object of one evaluation (paths and prompt given by the caller). */
export function metricsJson(metrics: EvalMetrics): Record<string, unknown> {
  return {
    width: metrics.width,
    height: metrics.height,
    outsideMask: metrics.mask,
    outsideDilated: metrics.dilated,
    clip: metrics.clip,
    structureDistance: metrics.structureDistance,
    structureFeatures: metrics.structureFeatures,
    missingModels: metrics.missing,
    note: missingModelsLine(metrics.missing),
  };
}

/** PSNR as text: "∞" when infinite, "–" when not measured. */
export function formatPsnr(region: Pick<RegionMetrics, 'psnr' | 'psnrInfinite'>): string {
  if (region.psnrInfinite) return '∞';
  return region.psnr === null ? '–' : `${region.psnr.toFixed(2)} dB`;
}

const fixed = (value: number | null, digits: number): string => (value === null ? '–' : value.toFixed(digits));
const exp = (value: number | null): string => (value === null ? '–' : value === 0 ? '0' : value.toExponential(3));

function regionLine(label: string, region: RegionMetrics): string {
  return (
    `${label} (${region.measuredPx} px): PSNR ${formatPsnr(region)}, MSE ${exp(region.mse)}, ` +
    `SSIM ${fixed(region.ssim, 4)}, LPIPS ${fixed(region.lpips, 4)}`
  );
}

/** The human report of one evaluation, one metric group per line. */
export function metricsText(metrics: EvalMetrics, prompt: string | undefined): string[] {
  const { dilatePx, featherPx } = metrics.dilated;
  const lines = [
    regionLine('outside the mask', metrics.mask),
    regionLine(`outside the dilated mask (dilate ${dilatePx} px, feather ${featherPx} px)`, metrics.dilated),
  ];
  if (metrics.clip) {
    const { whole, edited, region } = metrics.clip;
    lines.push(
      `CLIP score of "${prompt ?? ''}": whole image ${whole.toFixed(2)}, edited part ${fixed(edited, 2)}, ` +
        `region crop ${fixed(region, 2)}`,
    );
  } else if (prompt === undefined && !metrics.missing.includes('clip')) {
    lines.push('CLIP score: give --prompt to measure it');
  }
  if (metrics.structureDistance !== null) {
    const d = metrics.structureDistance;
    lines.push(`structure distance: ${exp(d)} (×10³: ${(d * 1e3).toFixed(2)}; DINO ${metrics.structureFeatures})`);
  }
  const missing = missingModelsLine(metrics.missing);
  if (missing) lines.push(missing);
  return lines;
}
