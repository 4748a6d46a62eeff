import { type EditParam, type EditParamKey, type EditParamValues, editParams } from '../../../shared/api/editParams';
import { editParamRules } from '../../../shared/api/editParamSchema';
import { type OptionSpec, UsageError } from '../options';

/**
 * Command-line options derived from the declared edit parameters (shared/api/editParams.ts), so `--help`, the
 * parser's ranges and defaults are the API's and the engine's.
 */

type Declared = typeof editParams;

/** The option a declared parameter becomes, with the literal types `defineCommand` infers values from. */
type OptionOf<P> = P extends { type: 'boolean' }
  ? { readonly type: 'boolean'; readonly description: string }
  : P extends { type: 'choice'; choices: infer C extends readonly string[]; default: infer D extends string }
    ? {
        readonly type: 'string';
        readonly valueName: string;
        readonly choices: C;
        readonly default: D;
        readonly description: string;
      }
    : P extends { type: 'number'; default: number }
      ? { readonly type: 'number'; readonly valueName: string; readonly default: number; readonly description: string }
      : { readonly type: 'number'; readonly valueName: string; readonly description: string };

/** The options of the parameters `K`, keyed by their flags. */
export type ParamOptions<K extends EditParamKey> = { readonly [P in K as Declared[P]['flag']]: OptionOf<Declared[P]> };

function optionOf(param: EditParam): OptionSpec {
  const description = param.help;
  if (param.type === 'boolean') return { type: 'boolean', description };
  if (param.type === 'choice') {
    return { type: 'string', valueName: param.unit, choices: param.choices, default: param.default, description };
  }
  return {
    type: 'number',
    valueName: param.unit,
    min: param.min,
    max: param.max,
    integer: param.integer,
    ...(param.multipleOf !== undefined ? { multipleOf: param.multipleOf } : {}),
    ...(typeof param.default === 'number' ? { default: param.default } : {}),
    description,
  };
}

/** The options of the declared parameters `keys`, in that order. */
export function paramOptions<const K extends EditParamKey>(keys: readonly K[]): ParamOptions<K> {
  return Object.fromEntries(keys.map((key) => [editParams[key].flag, optionOf(editParams[key])])) as ParamOptions<K>;
}

/**
 * The parameter values a parsed command line gives for `keys` (a `no-` flag turns its parameter off); an option
 * without a value or default (a per-engine default) is left out.
 */
export function paramsFromOptions<K extends EditParamKey>(
  options: Readonly<Record<string, unknown>>,
  keys: readonly K[],
): Partial<Pick<EditParamValues, K>> {
  const values: Record<string, unknown> = {};
  for (const key of keys) {
    const param: EditParam = editParams[key];
    const given = options[param.flag];
    if (given === undefined) continue;
    values[key] = param.type === 'boolean' && param.default ? !given : given;
  }
  return values as Partial<Pick<EditParamValues, K>>;
}

/** Checks the rules between the given parameters (control start ≤ end, …): a usage error names the first broken. */
export function checkParamRules(values: Partial<EditParamValues>): void {
  for (const rule of editParamRules) {
    if (rule.keys.every((key) => values[key] !== undefined) && !rule.holds(values as EditParamValues)) {
      throw new UsageError(rule.message);
    }
  }
}

/** `--negative <text>`: the negative prompt, for every command that edits. */
export const negativeOption = {
  negative: { type: 'string', valueName: 'text', description: 'negative prompt (default: none)' },
} as const;
