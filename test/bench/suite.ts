/** What a benchmark suite gets: a place for progress messages (stderr), never stdout. */
export interface BenchContext {
  log(message: string): void;
}

/** One benchmark suite: `npm run bench -- <name> [--json]` prints `{ "<name>": <result of run> }`. */
export interface BenchSuite {
  readonly name: string;
  /** One line for `npm run bench -- --help`. */
  readonly summary: string;
  run(context: BenchContext): Promise<Record<string, unknown>>;
}

/** Median of `samples` (mean of the middle two for an even count). */
export function median(samples: readonly number[]): number {
  if (samples.length === 0) throw new Error('median of no samples');
  const sorted = [...samples].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/**
 * Runs `task` `warmup` times unmeasured (JIT, caches, thread pools), then `runs` times, and returns the median
 * wall-clock milliseconds rounded to 0.1 ms.
 */
export async function measure(task: () => Promise<unknown>, runs: number, warmup = 5): Promise<number> {
  for (let i = 0; i < warmup; i++) await task();
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    await task();
    samples.push(performance.now() - start);
  }
  return Math.round(median(samples) * 10) / 10;
}
