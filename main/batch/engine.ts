import type { EngineClient } from '../engine/process/client';
import type { EditTask, EditValue } from '../engine/process/editTask';
import type { SegmentTask, SegmentValue } from '../engine/process/segmentTask';

/**
 * The engine process as a batch uses it: one task at a time, in the order asked, with the time the engine spent
 * working counted, so the batch can tell how well its pipeline kept the engine fed.
 */
export class SerialEngine {
  private tail: Promise<unknown> = Promise.resolve();
  private busyMs = 0;
  private firstStart: number | undefined;
  private lastEnd: number | undefined;

  constructor(private readonly client: Pick<EngineClient, 'run'>) {}

  segment(task: SegmentTask, signal: AbortSignal): Promise<SegmentValue> {
    return this.enqueue(async () => (await this.client.run(task, { signal })) as SegmentValue);
  }

  edit(task: EditTask, signal: AbortSignal, onStep?: (i: number, n: number) => void): Promise<EditValue> {
    return this.enqueue(
      async () =>
        (await this.client.run(task, {
          signal,
          onProgress: (p) => (p.type === 'step' ? onStep?.(p.i, p.n) : undefined),
        })) as EditValue,
    );
  }

  /** The fraction of the time from the first task's start to the last one's end that the engine was working. */
  busyFraction(): number {
    if (this.firstStart === undefined || this.lastEnd === undefined) return 0;
    const span = this.lastEnd - this.firstStart;
    return span > 0 ? Math.min(1, this.busyMs / span) : 1;
  }

  private enqueue<T>(work: () => Promise<T>): Promise<T> {
    const run = async (): Promise<T> => {
      const start = performance.now();
      this.firstStart ??= start;
      try {
        return await work();
      } finally {
        const end = performance.now();
        this.busyMs += end - start;
        this.lastEnd = end;
      }
    };
    const result = this.tail.then(run, run);
    this.tail = result.catch(() => undefined);
    return result;
  }
}
