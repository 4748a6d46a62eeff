import type { ModelProgress, ResponseOf } from '../../../../shared/api';

type CatalogModel = ResponseOf<'models:catalog'>['models'][number];
type DiskUsage = ResponseOf<'models:diskUsage'>;

/** Where a catalog model stands, as the Models sheet shows it. */
export type CatalogStatus =
  /** Installed, and its last check (if any) passed. */
  | 'installed'
  /** Installed, but its files failed their hash or contract check: never shown as installed. */
  | 'failed'
  | 'downloading'
  | 'verifying'
  /** Stopped with bytes kept on disk: resumable, or deletable. */
  | 'paused'
  | 'cancelled'
  /** A download's leftovers found on disk (an earlier session). */
  | 'partial'
  | 'available';

/** One catalog card: the model, how it stands, its progress and the bytes a stopped download keeps. */
export interface CatalogRow {
  readonly model: CatalogModel;
  readonly status: CatalogStatus;
  readonly progress: ModelProgress | null;
  /** Bytes on disk of a stopped download (what Resume continues from, what Delete frees). */
  readonly keptBytes: number;
  /** What deleting this model's partial download freed, once done. */
  readonly freedBytes: number | null;
  /** Why a download or a check failed, in one line. */
  readonly problem: string | null;
}

/** The status of one catalog model from its progress, the disk and the last check. */
function statusOf(model: CatalogModel, progress: ModelProgress | null, kept: number, failed: boolean): CatalogStatus {
  if (model.installed) return failed ? 'failed' : 'installed';
  const state = progress?.state;
  if (state === 'downloading' || state === 'verifying') return state;
  if ((state === 'paused' || state === 'cancelled') && kept > 0) return state;
  return kept > 0 ? 'partial' : 'available';
}

/** The Models sheet's catalog cards. */
export function catalogRows(
  models: readonly CatalogModel[],
  progress: Readonly<Record<string, ModelProgress>>,
  disk: DiskUsage | null,
  verify: Readonly<Record<string, { ok: boolean; problems: string[] }>>,
  freed: Readonly<Record<string, number>>,
): CatalogRow[] {
  return models.map((model) => {
    const current = progress[model.id] ?? null;
    const onDisk = disk?.models.find((entry) => entry.id === model.id && !entry.installed)?.bytes ?? 0;
    const kept = model.installed ? 0 : Math.max(onDisk, current?.bytesDone ?? 0);
    const check = verify[model.id];
    const failed = check !== undefined && !check.ok;
    return {
      model,
      status: statusOf(model, current, kept, failed),
      progress: current,
      keptBytes: kept,
      freedBytes: freed[model.id] ?? null,
      problem: failed ? check.problems.join('; ') : (current?.message ?? null),
    };
  });
}
