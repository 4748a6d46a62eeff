import { z } from 'zod';
import { roiSchema, editParamsSchema } from './edit';
import { type EditParam, type EditParamKey, type EditParamValues, editParamKeys, editParams } from './editParams';
import { editParamRules, paramSchema } from './editParamSchema';
import { imageIdSchema } from './ids';

/**
 * Sweeps (issue 15): a grid of edits that differ in one or two declared parameters, e.g. σ by rows and seed by
 * columns. Axes name a declared parameter (shared/api/editParams.ts) and list its values, each checked against the
 * declaration; the API, the CLI (`--axis noise=0.1,0.3`) and the editor's Sweep sheet share these rules.
 */

/** Parameters that do not change the picture, or that a cell cannot vary. */
const notAxes = ['variations', 'provider', 'lowMemory'] as const;
type NotAxis = (typeof notAxes)[number];
/** A parameter a sweep can vary. */
export type SweepAxisKey = Exclude<EditParamKey, NotAxis>;
/** Every parameter a sweep can vary, in declaration order. */
export const sweepAxisKeys = editParamKeys.filter(
  (key): key is SweepAxisKey => !(notAxes as readonly string[]).includes(key),
);

/** The most values one axis may have, and the most cells a grid may have. */
export const maxAxisValues = 8;
export const maxSweepCells = 32;

/** One value of an axis. */
export type SweepValue = number | boolean | string;
/** One axis: a parameter and its values (rows for the first axis, columns for the second). */
export interface SweepAxis {
  readonly key: SweepAxisKey;
  readonly values: readonly SweepValue[];
}

function describeRange(param: Extract<EditParam, { type: 'number' }>): string {
  const kind = param.integer ? 'an integer' : 'a number';
  const multiple = param.multipleOf === undefined ? '' : `, a multiple of ${param.multipleOf}`;
  return `${kind} from ${param.min} to ${param.max}${multiple}`;
}

/** Why `value` is not a value of `key`, in one line; null when it is. */
export function axisValueError(key: SweepAxisKey, value: SweepValue): string | null {
  const param: EditParam = editParams[key];
  if (paramSchema(param).safeParse(value).success) return null;
  const got = typeof value === 'string' ? JSON.stringify(value) : String(value);
  if (param.type === 'number') return `${param.name} must be ${describeRange(param)}, got ${got}`;
  if (param.type === 'boolean') return `${param.name} must be on or off, got ${got}`;
  return `unknown ${param.name} ${got}; choose one of ${param.choices.join(', ')}`;
}

/** The key a name means: the parameter's key or its command-line flag (`control-scale`), or null. */
export function axisKeyOf(name: string): SweepAxisKey | null {
  const key = sweepAxisKeys.find(
    (k) => k === name || editParams[k].flag === name || `no-${name}` === editParams[k].flag,
  );
  return key ?? null;
}

/** The rules an axis list keeps: 1 or 2 axes, distinct parameters, valid distinct values, at most maxSweepCells. */
export function sweepAxesError(axes: readonly SweepAxis[]): string | null {
  if (axes.length < 1 || axes.length > 2) return 'a sweep has one or two axes';
  if (axes.length === 2 && axes[0]!.key === axes[1]!.key) return `both axes vary ${editParams[axes[0]!.key].name}`;
  for (const axis of axes) {
    const name = editParams[axis.key].name;
    if (axis.values.length < 1) return `the ${name} axis has no values`;
    if (axis.values.length > maxAxisValues)
      return `the ${name} axis has ${axis.values.length} values; at most ${maxAxisValues}`;
    if (new Set(axis.values).size !== axis.values.length) return `the ${name} axis repeats a value`;
    for (const value of axis.values) {
      const error = axisValueError(axis.key, value);
      if (error) return error;
    }
  }
  const cells = axes.reduce((n, axis) => n * axis.values.length, 1);
  return cells > maxSweepCells ? `the grid has ${cells} cells; at most ${maxSweepCells}` : null;
}

function parseValue(key: SweepAxisKey, text: string): SweepValue {
  const param: EditParam = editParams[key];
  if (param.type === 'choice') return text;
  if (param.type === 'boolean') {
    if (['on', 'true', 'yes', '1'].includes(text)) return true;
    if (['off', 'false', 'no', '0'].includes(text)) return false;
    return text;
  }
  return text === '' ? Number.NaN : Number(text);
}

/** `a..b` of an integer parameter: every integer from a to b. */
function expandRange(key: SweepAxisKey, text: string): SweepValue[] | null {
  const match = /^(-?\d+)\.\.(-?\d+)$/.exec(text);
  if (!match) return null;
  const param: EditParam = editParams[key];
  if (param.type !== 'number' || !param.integer) throw new Error(`${param.name} takes a list of values, not a range`);
  const [from, to] = [Number(match[1]), Number(match[2])];
  if (to < from) throw new Error(`the range ${text} runs backwards`);
  if (to - from >= maxAxisValues)
    throw new Error(`the range ${text} has ${to - from + 1} values; at most ${maxAxisValues}`);
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}

/** Parses `noise=0.1,0.3,0.5`, `seed=1..4` or `gray=on,off`; throws an Error with a one-line message. */
export function parseSweepAxis(text: string): SweepAxis {
  const at = text.indexOf('=');
  const name = at < 0 ? text.trim() : text.slice(0, at).trim();
  const key = axisKeyOf(name);
  if (!key) throw new Error(`"${name}" is not a parameter a sweep can vary; use one of ${sweepAxisKeys.join(', ')}`);
  if (at < 0 || text.slice(at + 1).trim() === '') throw new Error(`give the values of ${name}: ${name}=a,b,c`);
  const parts = text
    .slice(at + 1)
    .split(',')
    .map((part) => part.trim());
  const values = parts.flatMap((part) => expandRange(key, part) ?? [parseValue(key, part)]);
  const axis = { key, values };
  const error = sweepAxesError([axis]);
  if (error) throw new Error(error);
  return axis;
}

/** The cells of a grid, row by row: the first axis's value per row, the second's per column. */
export function sweepCells(axes: readonly SweepAxis[]): Partial<EditParamValues>[] {
  const [rows, columns] = axes;
  const cells: Partial<EditParamValues>[] = [];
  for (const row of rows?.values ?? []) {
    for (const column of columns?.values ?? [undefined]) {
      cells.push({ [rows!.key]: row, ...(columns && column !== undefined ? { [columns.key]: column } : {}) });
    }
  }
  return cells;
}

/** A value as a label shows it: `σ 0.3`, `seed 2`, `gray off`, `scheduler euler`. */
export function axisLabel(key: SweepAxisKey, value: SweepValue): string {
  const param: EditParam = editParams[key];
  const shown = typeof value === 'boolean' ? (value ? 'on' : 'off') : String(value);
  const name = param.type === 'number' && param.unit === 'σ' ? 'σ' : param.name;
  return `${name} ${shown}`;
}

/** The first rule between parameters that a cell breaks (control start > end, …), in one line; or null. */
export function sweepRuleError(
  params: Parameters<(typeof editParamRules)[number]['holds']>[0],
  axes: readonly SweepAxis[],
): string | null {
  for (const cell of sweepCells(axes)) {
    const merged = { ...params, ...cell };
    for (const rule of editParamRules)
      if (!rule.holds(merged)) return `a cell of the grid breaks a rule: ${rule.message}`;
  }
  return null;
}

/** One axis as the API carries it (its values are checked with the whole request). */
export const sweepAxisSchema = z
  .object({
    key: z.enum(sweepAxisKeys as [SweepAxisKey, ...SweepAxisKey[]]),
    values: z.array(z.union([z.number(), z.boolean(), z.string().max(64)])).max(maxAxisValues),
  })
  .strict();

/** `sweep:start`: the image, its RoI, the base parameters and one or two axes. */
export const sweepStartRequestSchema = z
  .object({ imageId: imageIdSchema, roi: roiSchema, params: editParamsSchema, axes: z.array(sweepAxisSchema).max(2) })
  .strict()
  .superRefine((request, context) => {
    const error = sweepAxesError(request.axes) ?? sweepRuleError(request.params, request.axes);
    if (error) context.addIssue({ code: 'custom', message: error, path: ['axes'] });
  });
/** See {@link sweepStartRequestSchema}. */
export type SweepStartRequest = z.infer<typeof sweepStartRequestSchema>;
