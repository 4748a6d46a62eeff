import type { RgbImage } from '../../shared/image/types';
import type { EngineClient } from '../engine/process/client';
import type { EditTask, EditValue } from '../engine/process/editTask';
import type { SegmentTask, SegmentValue } from '../engine/process/segmentTask';

/**
 * The engine process as a batch uses it: one task at a time, in the order asked, with the time the engine spent
 * working counted, so the batch can tell how well its pipeline kept the engine fed. With a thread budget (a worker's
 * `--threads`), every task carries it: the engine's sessions and sharp use that many threads.
 */
export class SerialEngine {
  private tail: Promise<unknown> = Promise.resolve();
  private busy = 0;

  constructor(
    private readonly client: Pick<EngineClient, 'run'>,
    readonly threads?: number,
  ) {}

  segment(task: SegmentTask, signal: AbortSignal): Promise<SegmentValue> {
    return this.enqueue(async () => (await this.client.run(this.budgeted(task), { signal })) as SegmentValue);
  }

  /** An edit; `onStep` hears each step, with the engine's approximate preview when it made one. */
  edit(
    task: EditTask,
    signal: AbortSignal,
    onStep?: (i: number, n: number, preview?: RgbImage) => void,
  ): Promise<EditValue> {
    return this.enqueue(
      async () =>
        (await this.client.run(this.budgeted(task), {
          signal,
          onProgress: (p) => (p.type === 'step' ? onStep?.(p.i, p.n, p.preview) : undefined),
        })) as EditValue,
    );
  }

  /** Milliseconds the engine spent on this batch's tasks so far (from sending each task to its answer). */
  get busyMs(): number {
    return this.busy;
  }

  private budgeted<T extends EditTask | SegmentTask>(task: T): T {
    return this.threads === undefined ? task : { ...task, threads: this.threads };
  }

  private enqueue<T>(work: () => Promise<T>): Promise<T> {
    const run = async (): Promise<T> => {
      const start = performance.now();
      try {
        return await work();
      } finally {
        this.busy += performance.now() - start;
      }
    };
    const result = this.tail.then(run, run);
    this.tail = result.catch(() => undefined);
    return result;
  }
}
