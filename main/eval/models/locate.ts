/**
 * Finds the metric models `iir eval` and the compare bar use: the first installed model of each metric role. They
 * are optional; what is missing is named in one line with the command that installs it.
 */
import { listInstalled } from '../../models/receipt';

/** The metric roles and the catalog model each is pulled as. */
export const metricRoles = ['lpips', 'clip', 'dino'] as const;
export type MetricRole = (typeof metricRoles)[number];
export const metricCatalogIds: Readonly<Record<MetricRole, string>> = {
  lpips: 'lpips-alex',
  clip: 'clip-vit-l14',
  dino: 'dino-vitb8',
};

/** An installed metric model. */
export interface MetricModelDir {
  readonly id: string;
  readonly dir: string;
}

/** The installed metric models by role, and the roles with none. */
export interface MetricModelDirs {
  readonly found: Partial<Record<MetricRole, MetricModelDir>>;
  readonly missing: readonly MetricRole[];
}

/** Looks up every metric role in `modelsDir` (first installed model of the role, by id). */
export async function locateMetricModels(
  modelsDir: string,
  roles: readonly MetricRole[] = metricRoles,
): Promise<MetricModelDirs> {
  const installed = await listInstalled(modelsDir);
  const found: Partial<Record<MetricRole, MetricModelDir>> = {};
  const missing: MetricRole[] = [];
  for (const role of roles) {
    const model = installed.find((m) => m.receipt.role === role);
    if (model) found[role] = { id: model.id, dir: model.dir };
    else missing.push(role);
  }
  return { found, missing };
}

const roleMetric: Readonly<Record<MetricRole, string>> = {
  lpips: 'LPIPS',
  clip: 'CLIP similarity',
  dino: 'structure distance',
};

/** One line naming what is not measured and how to install it; null when nothing is missing. */
export function missingModelsLine(missing: readonly MetricRole[]): string | null {
  if (missing.length === 0) return null;
  const what = missing.map((r) => roleMetric[r]).join(', ');
  const ids = missing.map((r) => metricCatalogIds[r]).join(' ');
  const pull = missing.length === metricRoles.length ? 'metrics' : ids;
  return `${what} not measured: install with npm run iir -- models pull ${pull}`;
}
