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

/** Appends queued lines to `main.log` in order, in the background, rotating it; never throws. */
class LogWriter {
  private size: number;
  private readonly queue: string[] = [];
  private queuedBytes = 0;
  private dropped = 0;
  private lastFailure = '';
  private draining: Promise<void> | null = null;

  constructor(
    private readonly dir: string,
    readonly path: string,
    private readonly limits: { maxBytes: number; keep: number; maxQueuedBytes: number },
  ) {
    this.size = sizeOf(path);
  }

  /** Queues a line; past the queue's bound it is dropped and counted. */
  enqueue(line: string): void {
    if (this.queuedBytes + line.length > this.limits.maxQueuedBytes) {
      this.dropped += 1;
      this.lastFailure = 'the disk is too slow';
      return;
    }
    this.queue.push(line);
    this.queuedBytes += line.length;
    pending.add(this.flushSync);
    if (!exitHook) {
      exitHook = true;
      process.once('exit', () => pending.forEach((flush) => flush()));
    }
    this.draining ??= this.drain();
  }

  async flush(): Promise<void> {
    while (this.draining) await this.draining;
  }

  /** On exit, whatever is still queued goes out synchronously; a failure there is as silent as anywhere else. */
  readonly flushSync = (): void => {
    try {
      // Only a regular file: a FIFO or device in its place would block the exit for ever.
      if (this.queue.length > 0 && statSync(this.path).isFile())
        appendFileSync(this.path, this.queue.splice(0).join(''));
    } catch {
      // nothing left to tell it to
    }
  };

  private async drain(): Promise<void> {
    for (let line = this.queue.shift(); line !== undefined; line = this.queue.shift()) {
      this.queuedBytes -= line.length;
      await this.writeOne(line);
    }
    this.draining = null;
    pending.delete(this.flushSync);
  }

  private async writeOne(line: string): Promise<void> {
    const note =
      this.dropped > 0
        ? `${new Date().toISOString()} WARN ${this.dropped} log lines were dropped (${this.lastFailure})\n`
        : '';
    const text = note + line;
    try {
      if (this.size > 0 && this.size + text.length > this.limits.maxBytes) await this.rotate();
      await appendFile(this.path, text);
      this.size += Buffer.byteLength(text);
      this.dropped = 0;
    } catch (error) {
      this.dropped += 1;
      this.lastFailure = (error as NodeJS.ErrnoException).code ?? 'write failed';
    }
  }

  private async rotate(): Promise<void> {
    const { dir, limits } = this;
    await rm(join(dir, `main.${limits.keep}.log`), { force: true });
    for (let i = limits.keep - 1; i >= 1; i--) {
      await rename(join(dir, `main.${i}.log`), join(dir, `main.${i + 1}.log`)).catch(() => undefined);
    }
    await rename(this.path, join(dir, 'main.1.log'));
    this.size = 0;
  }
}

/**
 * Rotating log files in `<userData>/logs/`: `main.log`, then `main.1.log` (newest) … A log call never throws and
 * never waits for the disk: lines are queued and appended in order in the background. When the disk refuses them
 * (full, read-only, gone) they are dropped and counted, and the next line that gets through says how many were lost.
 */
export function createFileLogger(userDataDir: string, options: FileLoggerOptions = {}): FileLogger {
  const { maxBytes = 2 * 1024 * 1024, keep = 4, echo = false, maxQueuedBytes = 1024 * 1024 } = options;
  const dir = join(userDataDir, 'logs');
  try {
    mkdirSync(dir, { recursive: true });
  } catch {
    // No log folder: every line is dropped and counted, the app runs on.
  }
  const writer = new LogWriter(dir, join(dir, 'main.log'), { maxBytes, keep, maxQueuedBytes });
  const write = (level: string, message: string): void => {
    const line = `${new Date().toISOString()} ${level} ${message}\n`;
    if (echo) {
      try {
        process.stderr.write(line);
      } catch {
        // a closed stderr is no reason to fail a request
      }
    }
    writer.enqueue(line);
  };
  return {
    path: writer.path,
    info: (message) => write('INFO', message),
    warn: (message) => write('WARN', message),
    error: (message, error) =>
      write(
        'ERROR',
        error === undefined
          ? message
          : `${message}: ${error instanceof Error ? (error.stack ?? error.message) : safeJson(error)}`,
      ),
    flush: () => writer.flush(),
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
