/**
 * Background warm-ups (issue #12): when a document opens, or its models, size or provider change, the engine of its
 * device creates the sessions the next edit will use, so Generate starts its first step without loading any. One at
 * a time: a newer one cancels the older, and an edit that needs other sessions cancels it (the engine runs the edit
 * once it has stopped, between two sessions); an edit that needs the same sessions waits for it in the engine.
 */
import { isIirError } from '../../shared/errors';
import type { WarmUpTask, WarmUpValue } from '../engine/process/editTask';
import type { EnginePool } from './engines';

interface Current {
  readonly device: string;
  /** The sessions it loads (`PlannedEdit.sessions`). */
  readonly sessions: string;
  readonly controller: AbortController;
  /** Settles when the engine has stopped it: the roles it loaded, or null (cancelled or failed). */
  readonly done: Promise<WarmUpValue | null>;
}

/** The warm-up in flight, if any, on one engine pool. */
export class WarmUps {
  private current: Current | undefined;

  constructor(
    private readonly engines: Pick<EnginePool, 'client'>,
    private readonly log: (message: string) => void = () => undefined,
  ) {}

  /** Starts warming `sessions` on `device`, cancelling another warm-up; one for the same sessions goes on. */
  start(device: string, sessions: string, task: WarmUpTask): Promise<WarmUpValue | null> {
    const current = this.current;
    if (current && current.device === device && current.sessions === sessions) return current.done;
    this.cancel();
    const controller = new AbortController();
    const done = this.engines
      .client(device)
      .run(task, { signal: controller.signal, killWhenStuck: false })
      .then(
        (value) => (value.kind === 'warmup' ? value : null),
        (error: unknown) => {
          if (!controller.signal.aborted && !(isIirError(error) && error.code === 'cancelled')) {
            this.log(`warm-up failed (the edit will load its models itself): ${String(error)}`);
          }
          return null;
        },
      );
    const entry: Current = { device, sessions, controller, done };
    this.current = entry;
    void done.then(() => {
      if (this.current === entry) this.current = undefined;
    });
    return done;
  }

  /**
   * An edit with `sessions` is starting on `device`: a warm-up of other sessions is cancelled; one of the same
   * sessions is left to finish (the engine runs the edit after it, with its sessions).
   */
  beforeEdit(device: string, sessions: string): void {
    const current = this.current;
    if (current && (current.device !== device || current.sessions !== sessions)) this.cancel();
  }

  /** Cancels the warm-up in flight (a document closed, another opened). */
  cancel(): void {
    this.current?.controller.abort();
    this.current = undefined;
  }

  /** Settles when the warm-up in flight (if any) has ended. */
  async settled(): Promise<void> {
    await this.current?.done;
  }
}
