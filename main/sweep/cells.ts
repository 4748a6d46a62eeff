/**
 * The files of a sweep from the command line: every cell beside the contact sheet, named by its values
 * (`grid-noise0.3-seed2.png`), with its recipe inside, and an index (`grid.json`) of the cells and their recipes.
 */
import { basename, dirname, extname, join } from 'node:path';
import { type EditParamValues, editParams } from '../../shared/api/editParams';
import { type SweepAxis, type SweepAxisKey, axisLabel } from '../../shared/api/sweep';
import type { ExportFormat } from '../image/exportStored';
import type { EditRecipe } from '../engine/recipe';

const extensions: Record<ExportFormat, string> = { png: '.png', jpeg: '.jpg', webp: '.webp', tiff: '.tif' };

/** `noise0.3`, `seed2`, `grayoff`: the flag and the value, safe in a file name. */
function slug(key: SweepAxisKey, value: unknown): string {
  const shown = typeof value === 'boolean' ? (value ? 'on' : 'off') : String(value);
  return `${editParams[key].flag.replace(/^no-/, '')}${shown.replace(/[^A-Za-z0-9.+-]/g, '_')}`;
}

/** The path of a cell's image beside the contact sheet `out`. */
export function cellPath(
  out: string,
  axes: readonly SweepAxis[],
  cell: Partial<EditParamValues>,
  format: ExportFormat,
): string {
  const parts = axes.map((axis) => slug(axis.key, cell[axis.key]));
  return join(dirname(out), `${basename(out, extname(out))}-${parts.join('-')}${extensions[format]}`);
}

/** The index beside the contact sheet: `grid.png` → `grid.json`. */
export function indexPath(out: string): string {
  return join(dirname(out), `${basename(out, extname(out))}.json`);
}

/** The labels of the contact sheet: the axes as the title, each row's and each column's value. */
export function sheetLabels(
  axes: readonly SweepAxis[],
  prompt: string,
): { title: string; rows: string[]; columns: string[] } {
  const [rows, columns] = axes;
  const names = axes.map((axis) => editParams[axis.key].name).join(' × ');
  return {
    title: `“${prompt}”: ${names}`,
    rows: rows ? rows.values.map((v) => axisLabel(rows.key, v)) : [],
    columns: columns ? columns.values.map((v) => axisLabel(columns.key, v)) : [],
  };
}

/** One line of the index. */
export interface SweepIndexCell {
  readonly row: number;
  readonly column: number;
  readonly params: Partial<EditParamValues>;
  readonly seed: number;
  readonly path: string;
  readonly recipe: EditRecipe;
}
