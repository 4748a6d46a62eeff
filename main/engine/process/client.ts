import type { ApiError } from '../../../shared/api';
import { CancelledError, IirError } from '../../../shared/errors';
import type { EngineChild, EngineLauncher } from './launcher';
import type { EngineProgress, EngineReply } from './protocol';
import type { EngineTask, TaskValue } from './tasks';

/** Options of one {@link EngineClient.run}. */
export interface RunOptions {
  readonly signal?: AbortSignal;
  readonly onProgress?: (progress: EngineProgress) => void;
  /**
   * Whether a cancelled task that does not stop within the grace period ends the process (default). A background
   * warm-up passes false: one session still being created is not worth the searches running beside it.
   */
  readonly killWhenStuck?: boolean;
}

interface Pending {
  readonly resolve: (value: TaskValue) => void;
  readonly reject: (error: Error) => void;
  readonly onProgress: ((progress: EngineProgress) => void) | undefined;
  isCancelled: boolean;
}

/**
 * Runs tasks in the engine process, started on first use and again after it died. A cancelled task that the
 * engine does not give up within `cancelGraceMs` (a native call that never returns) is ended by killing the process.
 */
export class EngineClient {
  private child: EngineChild | undefined;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private rss: number | undefined;

  constructor(
    private readonly launch: EngineLauncher,
    private readonly cancelGraceMs = 15_000,
    /** Where the engine's bug reports go (main's log file). */
    private readonly log: (message: string) => void = (message) => process.stderr.write(`engine: ${message}\n`),
  ) {}

  /** The engine's process id, when it is running. */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** The engine's resident memory after its last task, bytes; undefined while none has ended since it started. */
  get lastRss(): number | undefined {
    return this.rss;
  }

  /** Sends `task` and resolves with its value; rejects with the engine's error, or `CancelledError`. */
  run(task: EngineTask, options: RunOptions = {}): Promise<TaskValue> {
    const { signal, onProgress, killWhenStuck = true } = options;
    if (signal?.aborted) return Promise.reject(new CancelledError());
    const child = this.ensureChild();
    const id = this.nextId++;
    return new Promise<TaskValue>((resolve, reject) => {
      const entry: Pending = {
        resolve: (value) => {
          signal?.removeEventListener('abort', onAbort);
          resolve(value);
        },
        reject: (error) => {
          signal?.removeEventListener('abort', onAbort);
          reject(error);
        },
        onProgress,
        isCancelled: false,
      };
      const onAbort = (): void => {
        entry.isCancelled = true;
        child.send({ type: 'cancel', id });
        if (!killWhenStuck) return;
        const timer = setTimeout(() => {
          if (this.pending.has(id) && this.child === child) child.kill();
        }, this.cancelGraceMs);
        timer.unref();
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.pending.set(id, entry);
      child.send({ type: 'run', id, task });
    });
  }

  /** Stops the engine process; pending tasks fail. */
  dispose(): void {
    this.child?.kill();
  }

  private ensureChild(): EngineChild {
    if (this.child) return this.child;
    const child = this.launch();
    this.child = child;
    child.onMessage((message) => this.onReply(message));
    child.onExit((description) => {
      if (this.child === child) {
        this.child = undefined;
        this.rss = undefined;
      }
      const pending = [...this.pending.values()];
      this.pending.clear();
      for (const entry of pending) {
        entry.reject(
          entry.isCancelled
            ? new CancelledError()
            : new IirError(
                'internal',
                `The engine process stopped unexpectedly (${description}); it restarts on the next job.`,
              ),
        );
      }
    });
    return child;
  }

  private onReply(message: EngineReply): void {
    if (message.type === 'ready') return;
    if (message.type === 'log') return this.log(message.message);
    const entry = this.pending.get(message.id);
    if (!entry) return;
    if (message.type === 'progress') {
      entry.onProgress?.(message.progress);
      return;
    }
    if (message.rss !== undefined) this.rss = message.rss;
    this.pending.delete(message.id);
    if (message.type === 'done') entry.resolve(message.value);
    else entry.reject(fromApiError(message.error));
  }
}

function fromApiError(error: ApiError): IirError {
  return error.code === 'cancelled' ? new CancelledError(error.message) : new IirError(error.code, error.message);
}
