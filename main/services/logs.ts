import { appendFileSync, mkdirSync, statSync } from 'node:fs';
import { appendFile, rename, rm } from 'node:fs/promises';
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
  /** Lines waiting for the disk beyond this many bytes are dropped (and counted), never held without bound. */
  readonly maxQueuedBytes?: number;
}

/** A file logger: `flush()` resolves once every line queued so far is written (or dropped). */
export interface FileLogger extends Logger {
  readonly path: string;
  flush(): Promise<void>;
}

/** Loggers with lines still queued, written synchronously (best effort) if the process exits first. */
const pending = new Set<() => void>();
let exitHook = false;

/**
 * Rotating log files in `<userData>/logs/`: `main.log`, then `main.1.log` (newest) … A log call never throws and
 * never waits for the disk: lines are queued and appended in order in the background. When the disk refuses them
 * (full, read-only, gone) they are dropped and counted, and the next line that gets through says how many were lost.
 */
export function createFileLogger(userDataDir: string, options: FileLoggerOptions = {}): FileLogger {
  const { maxBytes = 2 * 1024 * 1024, keep = 4, echo = false, maxQueuedBytes = 1024 * 1024 } = options;
  const dir = join(userDataDir, 'logs');
  const path = join(dir, 'main.log');
  try {
    mkdirSync(dir, { recursive: true });
  } catch {
    // No log folder: every line is dropped and counted, the app runs on.
  }
  let size = sizeOf(path);
  const queue: string[] = [];
  let queuedBytes = 0;
  let dropped = 0;
  let lastFailure = '';
  let draining: Promise<void> | null = null;

  const rotate = async (): Promise<void> => {
    await rm(join(dir, `main.${keep}.log`), { force: true });
    for (let i = keep - 1; i >= 1; i--) {
      await rename(join(dir, `main.${i}.log`), join(dir, `main.${i + 1}.log`)).catch(() => undefined);
    }
    await rename(path, join(dir, 'main.1.log'));
    size = 0;
  };

  const writeOne = async (line: string): Promise<void> => {
    const note =
      dropped > 0 ? `${new Date().toISOString()} WARN ${dropped} log lines were dropped (${lastFailure})\n` : '';
    const text = note + line;
    try {
      if (size > 0 && size + text.length > maxBytes) await rotate();
      await appendFile(path, text);
      size += Buffer.byteLength(text);
      dropped = 0;
    } catch (error) {
      dropped += 1;
      lastFailure = (error as NodeJS.ErrnoException).code ?? 'write failed';
    }
  };

  const drain = async (): Promise<void> => {
    for (let line = queue.shift(); line !== undefined; line = queue.shift()) {
      queuedBytes -= line.length;
      await writeOne(line);
    }
    draining = null;
    pending.delete(flushSync);
  };

  // On exit, whatever is still queued goes out synchronously; a failure there is as silent as anywhere else.
  const flushSync = (): void => {
    try {
      // Only a regular file: a FIFO or device in its place would block the exit for ever.
      if (queue.length > 0 && statSync(path).isFile()) appendFileSync(path, queue.splice(0).join(''));
    } catch {
      // nothing left to tell it to
    }
  };

  const write = (level: string, message: string): void => {
    const line = `${new Date().toISOString()} ${level} ${message}\n`;
    if (echo) {
      try {
        process.stderr.write(line);
      } catch {
        // a closed stderr is no reason to fail a request
      }
    }
    if (queuedBytes + line.length > maxQueuedBytes) {
      dropped += 1;
      lastFailure = 'the disk is too slow';
      return;
    }
    queue.push(line);
    queuedBytes += line.length;
    pending.add(flushSync);
    if (!exitHook) {
      exitHook = true;
      process.once('exit', () => pending.forEach((flush) => flush()));
    }
    draining ??= drain();
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
          : `${message}: ${error instanceof Error ? (error.stack ?? error.message) : safeJson(error)}`,
      ),
    flush: async () => {
      while (draining) await draining;
    },
  };
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

function sizeOf(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}
