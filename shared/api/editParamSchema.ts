import { z } from 'zod';
import { type EditParamKey, type EditParamValues, editParamKeys, editParams } from './editParams';
import type { EditParam, EditParamValue, EngineKind, NumberParam } from './editParamTypes';

/** What the declared edit parameters derive: defaults per engine, zod schemas, the rules between them, sliders. */

/** The default of `param` for `engine` (a per-engine default picks that engine's). */
export function paramDefault(param: NumberParam, engine: EngineKind): number {
  return typeof param.default === 'number' ? param.default : param.default[engine];
}

/** The value schema of one parameter, range included; no default. */
export function paramSchema(param: EditParam): z.ZodType<number | boolean | string> {
  if (param.type === 'boolean') return z.boolean();
  if (param.type === 'choice') return z.enum(param.choices as [string, ...string[]]);
  let schema = z.number().min(param.min).max(param.max);
  if (param.integer) schema = schema.int();
  if (param.multipleOf !== undefined) schema = schema.multipleOf(param.multipleOf);
  return schema;
}

/** The API schema of one parameter: its range, and its default unless each engine has its own. */
type ParamField<P extends EditParam> = P extends { default: number | boolean | string }
  ? z.ZodDefault<z.ZodType<EditParamValue<P>>>
  : z.ZodOptional<z.ZodType<EditParamValue<P>>>;

function paramField(param: EditParam): z.ZodType {
  const schema = paramSchema(param);
  return typeof param.default === 'object' ? schema.optional() : schema.default(param.default);
}

/** The declared parameters as zod fields (the API's edit schema spreads them). */
export const editParamShape = Object.fromEntries(editParamKeys.map((key) => [key, paramField(editParams[key])])) as {
  [K in EditParamKey]: ParamField<(typeof editParams)[K]>;
};

/** A rule between parameters that their ranges alone cannot say. */
export interface EditParamRule {
  readonly keys: readonly EditParamKey[];
  readonly holds: (
    p: Pick<EditParamValues, 'controlStart' | 'controlEnd' | 'cannyLow' | 'cannyHigh' | 'seed' | 'variations'>,
  ) => boolean;
  readonly message: string;
}

/** The rules between parameters, checked by the API, the CLI and the engine alike. */
export const editParamRules: readonly EditParamRule[] = [
  {
    keys: ['controlStart', 'controlEnd'],
    holds: (p) => p.controlStart <= p.controlEnd,
    message: 'control start must not exceed control end',
  },
  {
    keys: ['cannyLow', 'cannyHigh'],
    holds: (p) => p.cannyLow <= p.cannyHigh,
    message: 'the Canny low threshold must not exceed the high one',
  },
  {
    keys: ['seed', 'variations'],
    holds: (p) => p.seed + p.variations - 1 <= editParams.seed.max,
    message: 'seed + variations must stay below 2^32',
  },
];

/** The editor's control of a number parameter: the slider's range (narrower where declared so) and step. */
export function sliderRange(param: NumberParam): { min: number; max: number; step: number } {
  return { min: param.slider.min ?? param.min, max: param.slider.max ?? param.max, step: param.slider.step };
}
