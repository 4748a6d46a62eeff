import { describe, expect, it } from 'vitest';
import {
  type EditParam,
  type EditParamKey,
  type NumberParam,
  editParamKeys,
  editParams,
  editParamsSchema,
} from '../../../shared/api';
import { editCommand } from '../../../main/cli/commands/edit';
import { paramsFromOptions } from '../../../main/cli/commands/paramOptions';
import { UsageError, parseCommandLine } from '../../../main/cli/options';
import { resolveOptions } from '../../../main/engine/pipeline';
import { recipeSchema } from '../../../main/engine/recipe';
import { runIirHere } from '../../helpers/cli';

// Walks the one declaration of the edit parameters and checks that every consumer (the API schema, the CLI's
// parser and --help, the engine's validation and defaults, the recipe) says the same. The editor's sliders are
// checked in test/renderer/components/paramSliders.test.ts.

const numberKeys = editParamKeys.filter((key) => editParams[key].type === 'number');

/** Values of the other side of a rule, so a value at either end of its range breaks no rule. */
const companions: Partial<Record<EditParamKey, (value: number) => Record<string, number>>> = {
  cannyLow: (v) => ({ cannyLow: v, cannyHigh: 2040 }),
  cannyHigh: (v) => ({ cannyLow: 0, cannyHigh: v }),
  controlStart: (v) => ({ controlStart: v, controlEnd: 1 }),
  controlEnd: (v) => ({ controlStart: 0, controlEnd: v }),
};

function withValue(key: EditParamKey, value: number): Record<string, number> {
  return companions[key]?.(value) ?? { [key]: value };
}

/** Values just outside the range, and inside it but not allowed (a fraction for an integer, off the multiple). */
function badValues(param: NumberParam): number[] {
  const epsilon = param.integer ? 1 : 1e-3;
  const bad = [param.min - epsilon, param.max + epsilon];
  if (param.integer) bad.push(param.min + 0.5);
  if (param.multipleOf !== undefined) bad.push(param.min + param.multipleOf / 2);
  return bad;
}

function number(key: EditParamKey): NumberParam {
  return editParams[key] as NumberParam;
}

const cliBase = ['photo.png', '--prompt', 'a cup', '--out', 'out.png'];

function parseEdit(args: string[]) {
  return parseCommandLine([...cliBase, ...args], editCommand.options, editCommand.positionals);
}

describe('the edit parameters, declared once', () => {
  it('the API accepts exactly each declared range', () => {
    for (const key of numberKeys) {
      const param = number(key);
      for (const value of [param.min, param.max]) {
        const parsed = editParamsSchema.safeParse({ prompt: 'x', ...withValue(key, value) });
        expect(parsed.success, `${key} = ${value}`).toBe(true);
      }
      for (const value of badValues(param)) {
        expect(editParamsSchema.safeParse({ prompt: 'x', [key]: value }).success, `${key} = ${value}`).toBe(false);
      }
    }
  });

  it('the API fills the declared defaults, and leaves a per-engine default to the engine', () => {
    const parsed = editParamsSchema.parse({ prompt: 'x' }) as Record<string, unknown>;
    for (const key of editParamKeys) {
      const param: EditParam = editParams[key];
      expect(parsed[key], key).toEqual(typeof param.default === 'object' ? undefined : param.default);
    }
    expect(parsed.strength).toBeUndefined();
  });

  it('the API accepts each declared choice and refuses others', () => {
    for (const key of editParamKeys) {
      const param: EditParam = editParams[key];
      if (param.type !== 'choice') continue;
      for (const choice of param.choices) {
        expect(editParamsSchema.safeParse({ prompt: 'x', [key]: choice }).success, choice).toBe(true);
      }
      expect(editParamsSchema.safeParse({ prompt: 'x', [key]: 'nope' }).success, key).toBe(false);
    }
  });

  it('strength 0 is refused by the API, the CLI and the engine alike (it leaves no step to run)', () => {
    expect(editParamsSchema.safeParse({ prompt: 'x', strength: 0 }).success).toBe(false);
    expect(() => parseEdit(['--strength', '0'])).toThrow(UsageError);
    expect(() => resolveOptions({ prompt: 'x', strength: 0 })).toThrow(/strength must be a number from 0.05 to 1/);
  });

  it('the CLI parses exactly each declared range and --help lists each option with its range and default', async () => {
    const help = (await runIirHere(['edit', '--help'])).stdout;
    for (const key of editParamKeys) {
      const param: EditParam = editParams[key];
      const line = help.split('\n').find((l) => l.trimStart().startsWith(`--${param.flag}`));
      expect(line, `--${param.flag} in --help`).toBeDefined();
      expect(line).toContain(param.help);
      if (param.type === 'boolean') continue;
      if (typeof param.default !== 'object') expect(line).toContain(`default: ${param.default}`);
      if (param.type === 'choice') expect(line).toContain(`one of: ${param.choices.join(', ')}`);
      if (param.type !== 'number') continue;
      expect(line).toContain(`${param.min}–${param.max}`);
      for (const value of [param.min, param.max]) {
        const { options } = parseEdit([`--${param.flag}`, String(value)]);
        expect(paramsFromOptions(options, [key])).toEqual({ [key]: value });
      }
      for (const value of badValues(param)) {
        expect(() => parseEdit([`--${param.flag}`, String(value)]), `--${param.flag} ${value}`).toThrow(UsageError);
      }
    }
  });

  it('the CLI gives the declared defaults, and a no- flag turns its parameter off', () => {
    const values = paramsFromOptions(parseEdit([]).options, editParamKeys) as Record<string, unknown>;
    for (const key of editParamKeys) {
      const param: EditParam = editParams[key];
      expect(values[key], key).toEqual(typeof param.default === 'object' ? undefined : param.default);
    }
    expect(paramsFromOptions(parseEdit(['--no-gray']).options, ['gray'])).toEqual({ gray: false });
    expect(paramsFromOptions(parseEdit(['--focus']).options, ['focus'])).toEqual({ focus: true });
  });

  it('the engine applies the declared defaults and checks exactly each declared range', () => {
    const resolved = resolveOptions({ prompt: 'x' }) as Record<string, unknown>;
    for (const key of editParamKeys) {
      if (key === 'provider') continue; // chosen per model role by the provider settings, not here
      const param: EditParam = editParams[key];
      expect(resolved[key], key).toEqual(typeof param.default === 'object' ? undefined : param.default);
    }
    for (const key of numberKeys) {
      const param = number(key);
      for (const value of [param.min, param.max]) {
        expect(() => resolveOptions({ prompt: 'x', ...withValue(key, value) }), `${key} = ${value}`).not.toThrow();
      }
      for (const value of badValues(param)) {
        expect(() => resolveOptions({ prompt: 'x', [key]: value }), `${key} = ${value}`).toThrow(param.name);
      }
    }
  });

  it('the recipe records every declared parameter it should, and no other', () => {
    const recorded = Object.keys(recipeSchema.shape.params.shape).sort();
    const declared = editParamKeys.filter((key) => editParams[key].recipe !== 'omitted').sort();
    expect(recorded).toEqual(declared);
    for (const key of editParamKeys) {
      if (editParams[key].recipe === 'omitted') continue;
      const field = recipeSchema.shape.params.shape[key as keyof typeof recipeSchema.shape.params.shape];
      expect(field.safeParse(undefined).success, key).toBe(editParams[key].recipe === 'optional');
    }
  });
});
