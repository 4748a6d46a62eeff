import { parseArgs } from 'node:util';

/**
 * Command-line option declarations and a strict parser over `node:util` `parseArgs`. A declaration carries its help
 * text, so `--help` is generated from the same object that parses.
 */

interface OptionBase {
  /** One line for `--help`. */
  readonly description: string;
  /** A one-letter alias (`-o`). */
  readonly short?: string;
}

/** `--name` alone: true when given. */
export interface FlagOption extends OptionBase {
  readonly type: 'boolean';
}

/** `--name <value>`. */
export interface StringOption extends OptionBase {
  readonly type: 'string';
  /** The placeholder shown in help: `--mask <png>`. */
  readonly valueName: string;
  /** Allowed values; anything else is a usage error. */
  readonly choices?: readonly string[];
  readonly default?: string;
  readonly required?: boolean;
  /** May be given more than once; the values arrive in order as an array. */
  readonly multiple?: boolean;
}

/** `--name <number>`, parsed and range-checked. */
export interface NumberOption extends OptionBase {
  readonly type: 'number';
  readonly valueName: string;
  /** Whole numbers only. */
  readonly integer?: boolean;
  readonly min?: number;
  readonly max?: number;
  /** Only multiples of this (`--size`: 64). */
  readonly multipleOf?: number;
  readonly default?: number;
  readonly required?: boolean;
  readonly multiple?: boolean;
}

export type OptionSpec = FlagOption | StringOption | NumberOption;
export type OptionSpecs = Readonly<Record<string, OptionSpec>>;

/** A positional argument, in declaration order. */
export interface PositionalSpec {
  readonly name: string;
  readonly description: string;
  readonly optional?: boolean;
  /** The last positional only: takes every remaining argument (as an array; at least one unless `optional`). */
  readonly variadic?: boolean;
}

type ValueOf<S extends OptionSpec> = S extends NumberOption
  ? number
  : S extends { choices: readonly (infer C extends string)[] }
    ? C
    : string;

/** The parsed value of one declared option. */
export type OptionValue<S extends OptionSpec> = S extends FlagOption
  ? boolean
  : S extends { multiple: true }
    ? ValueOf<S>[]
    : S extends { default: string | number } | { required: true }
      ? ValueOf<S>
      : ValueOf<S> | undefined;

/** The parsed values of a set of declared options, keyed by option name. */
export type ParsedOptions<O extends OptionSpecs> = { -readonly [K in keyof O]: OptionValue<O[K]> };

/** The parsed positionals, keyed by name (an optional positional may be undefined). */
export type ParsedPositionals<P extends readonly PositionalSpec[]> = {
  [S in P[number] as S['name']]: S extends { variadic: true }
    ? string[]
    : S extends { optional: true }
      ? string | undefined
      : string;
};

/** A mistake on the command line: reported with a pointer to `--help` and exit code 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

const numberPattern = /^[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?$/;

function describeRange(spec: NumberOption): string {
  const kind = spec.integer ? 'a whole number' : 'a number';
  if (spec.min !== undefined && spec.max !== undefined) return `${kind} from ${spec.min} to ${spec.max}`;
  if (spec.min !== undefined) return `${kind} ≥ ${spec.min}`;
  if (spec.max !== undefined) return `${kind} ≤ ${spec.max}`;
  return kind;
}

/** Parses and range-checks one number option value. */
export function parseNumber(name: string, spec: NumberOption, text: string): number {
  const value = numberPattern.test(text.trim()) ? Number(text) : Number.NaN;
  const valid =
    Number.isFinite(value) &&
    (!spec.integer || Number.isInteger(value)) &&
    (spec.min === undefined || value >= spec.min) &&
    (spec.max === undefined || value <= spec.max);
  if (!valid) throw new UsageError(`--${name} must be ${describeRange(spec)}, not "${text}"`);
  if (spec.multipleOf !== undefined && value % spec.multipleOf !== 0) {
    throw new UsageError(`--${name} must be a multiple of ${spec.multipleOf}, not ${text}`);
  }
  return value;
}

function rewordParseError(error: unknown): UsageError {
  const code = (error as { code?: unknown }).code;
  const message = error instanceof Error ? error.message : String(error);
  // Node quotes the option as '--name', '-n, --name <value>' or '-n': prefer the long name.
  const quoted = /'([^']*)'/.exec(message)?.[1] ?? '';
  const option = /--[\w-]+/.exec(quoted)?.[0] ?? /-\w/.exec(quoted)?.[0];
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && option) return new UsageError(`unknown option ${option}`);
  if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' && option) {
    if (/argument missing/.test(message)) return new UsageError(`${option} needs a value`);
    if (/does not take an argument/.test(message)) return new UsageError(`${option} does not take a value`);
    if (/ambiguous/.test(message)) {
      return new UsageError(`${option} needs a value (for a value starting with "-", write ${option}=<value>)`);
    }
  }
  if (code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL') return new UsageError(message.split('\n')[0] ?? message);
  return new UsageError(message.split('\n')[0] ?? message);
}

/** The result of {@link parseCommandLine}. */
export interface ParsedCommandLine<O extends OptionSpecs, P extends readonly PositionalSpec[]> {
  readonly options: ParsedOptions<O>;
  readonly positionals: ParsedPositionals<P>;
  /** `--help` or `-h` was given: nothing else is checked. */
  readonly help: boolean;
}

/**
 * Parses `args` strictly: unknown options, missing values, repeated single options, bad numbers, values outside
 * `choices`, missing required options and wrong positional counts are {@link UsageError}s.
 */
export function parseCommandLine<O extends OptionSpecs, P extends readonly PositionalSpec[]>(
  args: readonly string[],
  specs: O,
  positionalSpecs: P,
): ParsedCommandLine<O, P> {
  const config: Record<string, { type: 'string' | 'boolean'; short?: string; multiple?: boolean }> = {
    help: { type: 'boolean', short: 'h', multiple: true },
  };
  for (const [name, spec] of Object.entries(specs)) {
    config[name] = {
      type: spec.type === 'boolean' ? 'boolean' : 'string',
      ...(spec.short ? { short: spec.short } : {}),
      multiple: true,
    };
  }
  let parsed: ReturnType<typeof parseArgs<{ options: typeof config; allowPositionals: true; strict: true }>>;
  try {
    parsed = parseArgs({ args: [...args], options: config, allowPositionals: true, strict: true });
  } catch (error) {
    throw rewordParseError(error);
  }
  const values = parsed.values as Record<string, (string | boolean)[] | undefined>;
  if (values.help?.length) {
    return { options: {} as ParsedOptions<O>, positionals: {} as ParsedPositionals<P>, help: true };
  }

  const options: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(specs)) {
    const given = values[name] ?? [];
    if (spec.type === 'boolean') {
      if (given.length > 1) throw new UsageError(`--${name} is given more than once`);
      options[name] = given.length > 0;
      continue;
    }
    if (given.length > 1 && !spec.multiple) throw new UsageError(`--${name} is given more than once`);
    if (given.length === 0 && spec.required) throw new UsageError(`--${name} <${spec.valueName}> is required`);
    const parsedValues = (given as string[]).map((text) => {
      if (spec.type === 'number') return parseNumber(name, spec, text);
      if (spec.choices && !spec.choices.includes(text)) {
        throw new UsageError(`--${name} must be one of ${spec.choices.join(', ')}, not "${text}"`);
      }
      return text;
    });
    options[name] = spec.multiple ? parsedValues : (parsedValues[0] ?? spec.default);
  }

  const positionals: Record<string, string | string[] | undefined> = {};
  const rest = [...parsed.positionals];
  for (const spec of positionalSpecs) {
    if (spec.variadic) {
      if (rest.length === 0 && !spec.optional) throw new UsageError(`missing <${spec.name}>`);
      positionals[spec.name] = rest.splice(0);
      continue;
    }
    const value = rest.shift();
    if (value === undefined && !spec.optional) throw new UsageError(`missing <${spec.name}>`);
    positionals[spec.name] = value;
  }
  if (rest.length > 0) throw new UsageError(`unexpected argument "${rest[0]}"`);
  return {
    options: options as ParsedOptions<O>,
    positionals: positionals as ParsedPositionals<P>,
    help: false,
  };
}
