import type { ProgressBar } from './progress';
import type { OptionSpecs, ParsedCommandLine, ParsedOptions, ParsedPositionals, PositionalSpec } from './options';

/** Where a command writes: JSON and other machine output to stdout, messages and progress to stderr. */
export interface OutputStream {
  write(text: string): unknown;
  readonly isTTY?: boolean;
  readonly columns?: number;
}

/** What a running command gets besides its arguments. */
export interface CommandContext {
  /** Aborted on Ctrl-C: check it between steps (`throwIfCancelled`) and pass it to writers. */
  readonly signal: AbortSignal;
  readonly stdout: OutputStream;
  readonly stderr: OutputStream;
  readonly env: NodeJS.ProcessEnv;
  /** Prints `value` as one line of JSON on stdout. */
  printJson(value: unknown): void;
  /** Prints a human message on stderr. */
  log(message: string): void;
  /** A progress bar on stderr (drawn only when stderr is a terminal). */
  progress(label: string): ProgressBar;
}

/** The arguments a command's `run` receives, typed from its declarations. */
export interface CommandArgs<O extends OptionSpecs, P extends readonly PositionalSpec[]> {
  readonly options: ParsedOptions<O>;
  readonly positionals: ParsedPositionals<P>;
}

/** A command as its module declares it. */
export interface CommandDeclaration<O extends OptionSpecs, P extends readonly PositionalSpec[]> {
  /** The word after `iir`. */
  readonly name: string;
  /** One line for the program's `--help`. */
  readonly summary: string;
  /** Paragraphs shown by `<command> --help` under the usage line. */
  readonly description?: string;
  readonly options: O;
  readonly positionals: P;
  /** Example command lines for `--help` (without the leading `iir`). */
  readonly examples?: readonly string[];
  run(args: CommandArgs<O, P>, context: CommandContext): Promise<void>;
}

/** A registered command with its types erased, as the runner and the help see it. */
export interface Command {
  readonly name: string;
  readonly summary: string;
  readonly description?: string;
  readonly options: OptionSpecs;
  readonly positionals: readonly PositionalSpec[];
  readonly examples?: readonly string[];
  run(parsed: ParsedCommandLine<OptionSpecs, readonly PositionalSpec[]>, context: CommandContext): Promise<void>;
}

/**
 * Declares a command. `const` type parameters keep the option literals, so `run` sees `--noise` as `number` and
 * `--noise-scope` as `'roi' | 'image'`.
 */
export function defineCommand<const O extends OptionSpecs, const P extends readonly PositionalSpec[]>(
  declaration: CommandDeclaration<O, P>,
): Command {
  return {
    ...declaration,
    run: (parsed, context) =>
      declaration.run(
        {
          options: parsed.options as ParsedOptions<O>,
          positionals: parsed.positionals,
        },
        context,
      ),
  };
}

/**
 * A command in the registry, loaded only when it runs (or for the program's `--help`), so `iir preprocess` does not
 * load ONNX Runtime for `iir segment`, and one command's import failure does not break the others.
 */
export interface CommandEntry {
  readonly name: string;
  load(): Promise<Command>;
}

/** What the runner accepts: a loaded command (tests) or a registry entry. */
export type CommandSource = Command | CommandEntry;

/** Loads a registry entry; a loaded command is returned as is. */
export async function loadCommand(source: CommandSource): Promise<Command> {
  return 'load' in source ? source.load() : source;
}
