import {
  type EditParamValues,
  type ImageId,
  type JobResult,
  type SweepAxis,
  type SweepAxisKey,
  axisLabel,
  editParams,
  parseSweepAxis,
  sweepAxesError,
  sweepAxisKeys,
} from '../../../shared/api';
import type { Recipe } from './documentHistory';

/** The Sweep sheet's pure parts: the axes as typed, moving across the grid, a picked cell's recipe. */

/** A sweep's result as the job answers it. */
export type SweepResult = Extract<JobResult, { kind: 'sweep' }>;

/** One axis as the sheet edits it: a parameter (or none, for the columns) and its values as typed. */
export interface AxisDraft {
  readonly key: SweepAxisKey | 'none';
  readonly text: string;
}

/** The parameters the sheet offers, with their names. */
export const axisChoices = sweepAxisKeys.map((key) => ({ key, name: editParams[key].name }));

/** The drafts as axes, or the first one-line reason they are not. */
export function parseDrafts(drafts: readonly AxisDraft[]): { axes: SweepAxis[] } | { error: string } {
  const axes: SweepAxis[] = [];
  for (const draft of drafts) {
    if (draft.key === 'none') continue;
    try {
      axes.push(parseSweepAxis(`${draft.key}=${draft.text}`));
    } catch (error) {
      return { error: (error as Error).message };
    }
  }
  const error = sweepAxesError(axes);
  return error ? { error } : { axes };
}

/** The grid's shape and labels. */
export function gridLabels(result: SweepResult): { rows: string[]; columns: string[] } {
  const [rows, columns] = result.axes;
  return {
    rows: rows ? rows.values.map((v) => axisLabel(rows.key, v)) : [],
    columns: columns ? columns.values.map((v) => axisLabel(columns.key, v)) : [],
  };
}

/** The cell an arrow key moves to from `index` in a grid of `cells` with `columns` per row (stays at the edges). */
export function moveFocus(index: number, key: string, cells: number, columns: number): number {
  const column = index % columns;
  if (key === 'ArrowLeft') return column > 0 ? index - 1 : index;
  if (key === 'ArrowRight') return column < columns - 1 && index + 1 < cells ? index + 1 : index;
  if (key === 'ArrowUp') return index - columns >= 0 ? index - columns : index;
  if (key === 'ArrowDown') return index + columns < cells ? index + columns : index;
  if (key === 'Home') return index - column;
  if (key === 'End') return Math.min(cells - 1, index - column + columns - 1);
  return index;
}

/** What the sweep was asked with, remembered for the recipes of the cells the user picks. */
export interface SweepAsked {
  readonly params: Readonly<Record<string, unknown>>;
  readonly models: readonly string[];
  readonly startedAt: number;
}

/** The recipe of cell `index`: the sweep's parameters with the cell's values, so Regenerate runs that cell. */
export function cellRecipe(result: SweepResult, index: number, asked: SweepAsked, durationMs: number): Recipe {
  const cell = result.cells[index]!;
  const params = { ...asked.params, ...cell.params, seed: cell.seed, variations: 1 } as Partial<EditParamValues> & {
    prompt?: unknown;
  };
  return {
    prompt: typeof params.prompt === 'string' ? params.prompt : '',
    noise: params.noise ?? editParams.noise.default,
    gray: params.gray !== false,
    seed: cell.seed,
    models: asked.models,
    provider: result.provider,
    startedAt: asked.startedAt,
    durationMs,
    params,
  };
}

/** The images a sweep's result holds that nobody else does: every tile, and the results not picked. */
export function unheldImages(result: SweepResult, picked: ReadonlySet<ImageId>): ImageId[] {
  return result.cells.flatMap((cell) => (picked.has(cell.resultId) ? [cell.tileId] : [cell.tileId, cell.resultId]));
}
