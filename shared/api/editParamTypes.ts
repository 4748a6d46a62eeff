/** The shapes of the declared edit parameters (editParams.ts holds the declaration). */

/** The two engines an edit runs on: the paper's IIR-trained ControlNet, or a Canny one used training-free. */
export const engineKinds = ['iir-trained', 'iir-training-free'] as const;
/** One of {@link engineKinds}. */
export type EngineKind = (typeof engineKinds)[number];

interface ParamBase {
  /** How messages name it (`steps must be an integer from 1 to 150`). */
  readonly name: string;
  /** One line for `--help` and the editor's tooltip. */
  readonly help: string;
  /** The command-line option, without `--`. A boolean that defaults to true has a `no-` flag that turns it off. */
  readonly flag: string;
  /** The engines whose output it changes. */
  readonly engines: readonly EngineKind[];
  /** Whether the recipe stores it in `params`: `optional` for parameters older recipes lack. */
  readonly recipe: 'required' | 'optional' | 'omitted';
}

/** A number in [min, max]. */
export interface NumberParam extends ParamBase {
  readonly type: 'number';
  readonly min: number;
  readonly max: number;
  readonly integer: boolean;
  readonly multipleOf?: number;
  /** One value, or one per engine (the engine that runs picks it; the API leaves it out). */
  readonly default: number | Readonly<Record<EngineKind, number>>;
  /** What the number counts (`--help` shows it as the value's placeholder). */
  readonly unit: string;
  /** The editor's control: its step, and a narrower range where the full one is of no use there. */
  readonly slider: { readonly step: number; readonly min?: number; readonly max?: number };
}

/** On or off. */
export interface BooleanParam extends ParamBase {
  readonly type: 'boolean';
  readonly default: boolean;
}

/** One of a list of names. */
export interface ChoiceParam extends ParamBase {
  readonly type: 'choice';
  readonly choices: readonly string[];
  readonly default: string;
  readonly unit: string;
}

/** One declared parameter. */
export type EditParam = NumberParam | BooleanParam | ChoiceParam;

/** The value type of a declared parameter. */
export type EditParamValue<P> = P extends { type: 'number' }
  ? number
  : P extends { type: 'boolean' }
    ? boolean
    : P extends { choices: readonly (infer C)[] }
      ? C
      : never;
