import { appendFileSync, mkdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** The log: one line per entry with time and level; errors add their stack (the log is for developers). */
export interface Logger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string, error?: unknown): void;
}

/** Options of {@link createFileLogger}. */
export interface FileLoggerOptions {
  /** Rotate when the current file exceeds this many bytes. */
  readonly maxBytes?: number;
  /** How many rotated files to keep (`main.1.log` … `main.<keep>.log`). */
  readonly keep?: number;
  /** Also write to stderr. */
  readonly echo?: boolean;
}

/**
 * Rotating log files in `<userData>/logs/`: `main.log`, then `main.1.log` (newest) … Writes are synchronous and
 * small, so entries are never lost on a crash and never interleave.
 */
export function createFileLogger(userDataDir: string, options: FileLoggerOptions = {}): Logger & { path: string } {
  const { maxBytes = 2 * 1024 * 1024, keep = 4, echo = false } = options;
  const dir = join(userDataDir, 'logs');
  const path = join(dir, 'main.log');
  mkdirSync(dir, { recursive: true });
  let size = sizeOf(path);

  const rotate = (): void => {
    rmSync(join(dir, `main.${keep}.log`), { force: true });
    for (let i = keep - 1; i >= 1; i--) {
      try {
        renameSync(join(dir, `main.${i}.log`), join(dir, `main.${i + 1}.log`));
      } catch {
        // that generation does not exist yet
      }
    }
    renameSync(path, join(dir, 'main.1.log'));
    size = 0;
  };

  const write = (level: string, message: string): void => {
    const line = `${new Date().toISOString()} ${level} ${message}\n`;
    if (size > 0 && size + line.length > maxBytes) rotate();
    appendFileSync(path, line);
    size += Buffer.byteLength(line);
    if (echo) process.stderr.write(line);
  };

  return {
    path,
    info: (message) => write('INFO', message),
    warn: (message) => write('WARN', message),
    error: (message, error) =>
      write(
        'ERROR',
        error === undefined
          ? message
          : `${message}: ${error instanceof Error ? (error.stack ?? error.message) : JSON.stringify(error)}`,
      ),
  };
}

function sizeOf(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}
