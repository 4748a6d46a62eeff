import { isIirError } from '../../shared/errors';
import { loadCommand, type Command, type CommandContext, type CommandSource, type OutputStream } from './command';
import { commandHelp, programHelp, programName } from './help';
import { parseCommandLine, UsageError } from './options';
import { createProgressBar } from './progress';

/** Exit codes: 0 success, 1 failure, 2 usage error, 130 interrupted (128 + SIGINT). */
export type ExitCode = 0 | 1 | 2 | 130;

export interface CliIo {
  readonly stdout: OutputStream;
  readonly stderr: OutputStream;
  readonly env: NodeJS.ProcessEnv;
  /** Aborted when the user interrupts (Ctrl-C). */
  readonly signal: AbortSignal;
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').trim();
}

function errorMessage(error: unknown): string {
  return oneLine(error instanceof Error ? error.message : String(error));
}

/** Loads a command; a failure to load is a bug in that command, reported as an internal error. */
async function loadOrReport(source: CommandSource, io: CliIo): Promise<Command | null> {
  try {
    return await loadCommand(source);
  } catch (error) {
    io.stderr.write(`${programName}: internal error: cannot load the ${source.name} command: ${errorMessage(error)}\n`);
    if (io.env.IIR_DEBUG === '1' && error instanceof Error && error.stack) io.stderr.write(`${error.stack}\n`);
    return null;
  }
}

/** Every command for the program's help; one that fails to load is listed as such instead of hiding the rest. */
async function loadAll(commands: readonly CommandSource[]): Promise<Command[]> {
  return Promise.all(
    commands.map((source) =>
      loadCommand(source).catch((error: unknown): Command => ({
        name: source.name,
        summary: `(cannot load: ${errorMessage(error)})`,
        options: {},
        positionals: [],
        run: () => Promise.reject(error instanceof Error ? error : new Error(String(error))),
      })),
    ),
  );
}

function makeContext(io: CliIo): CommandContext {
  return {
    signal: io.signal,
    stdout: io.stdout,
    stderr: io.stderr,
    env: io.env,
    printJson: (value) => io.stdout.write(`${JSON.stringify(value)}\n`),
    log: (message) => io.stderr.write(`${message}\n`),
    progress: (label) => createProgressBar(io.stderr, label),
  };
}

/**
 * Runs one command line (`argv` without node and the script) and returns the exit code. Expected failures
 * (`IirError`) print `iir: <message>`; usage errors add a pointer to `--help`; anything else is a bug and prints
 * one line, with the stack only when `IIR_DEBUG=1`.
 */
export async function runCli(
  argv: readonly string[],
  commands: readonly CommandSource[],
  io: CliIo,
): Promise<ExitCode> {
  const [first, ...rest] = argv;
  if (first === undefined) {
    io.stderr.write(programHelp(await loadAll(commands)));
    return 2;
  }
  if (first === '--help' || first === '-h' || first === 'help') {
    const named = first === 'help' ? commands.find((c) => c.name === rest[0]) : undefined;
    if (named) {
      const loaded = await loadOrReport(named, io);
      if (!loaded) return 1;
      io.stdout.write(commandHelp(loaded));
    } else {
      io.stdout.write(programHelp(await loadAll(commands)));
    }
    return 0;
  }
  const source = commands.find((c) => c.name === first);
  if (!source) {
    const what = first.startsWith('-') ? `unknown option ${first}` : `unknown command "${first}"`;
    io.stderr.write(`${programName}: ${what} (see '${programName} --help')\n`);
    return 2;
  }
  const command = await loadOrReport(source, io);
  if (!command) return 1;

  try {
    const parsed = parseCommandLine(rest, command.options, command.positionals);
    if (parsed.help) {
      io.stdout.write(commandHelp(command));
      return 0;
    }
    await command.run(parsed, makeContext(io));
    if (io.signal.aborted) {
      io.stderr.write(`${programName}: cancelled\n`);
      return 130;
    }
    return 0;
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr.write(`${programName}: ${oneLine(error.message)} (see '${programName} ${command.name} --help')\n`);
      return 2;
    }
    if (isIirError(error)) {
      io.stderr.write(`${programName}: ${oneLine(error.message)}\n`);
      return error.code === 'cancelled' ? 130 : 1;
    }
    if (io.signal.aborted) {
      io.stderr.write(`${programName}: cancelled\n`);
      return 130;
    }
    const message = error instanceof Error ? error.message : String(error);
    io.stderr.write(`${programName}: internal error: ${oneLine(message)}\n`);
    if (io.env.IIR_DEBUG === '1' && error instanceof Error && error.stack) io.stderr.write(`${error.stack}\n`);
    return 1;
  }
}
