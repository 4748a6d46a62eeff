/** What a benchmark suite gets: a place for progress messages (stderr), never stdout. */
export interface BenchContext {
  log(message: string): void;
  /** `--scale real`: run on the real-scale models (`npm run fixtures -- --scale real`) instead of the fixtures. */
  readonly scale?: 'tiny' | 'real';
  /** `--models <dir>`: where the real-scale models are (default .cache/real-scale/models). */
  readonly models?: string;
  /** `--provider <name>`: the execution provider of the real-scale engine bench (default cpu). */
  readonly provider?: string;
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

/** Median wall-clock and CPU (all threads of this process) milliseconds of a measured task. */
export interface Measurement {
  readonly wallMs: number;
  readonly cpuMs: number;
}

function cpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

/**
 * Runs `task` `warmup` times unmeasured (JIT, caches, thread pools), then `runs` times, and returns the median
 * wall-clock and CPU milliseconds, rounded to 0.1 ms. CPU time tells a busy machine from a slow program.
 */
export async function measure(task: () => Promise<unknown>, runs: number, warmup = 5): Promise<Measurement> {
  for (let i = 0; i < warmup; i++) await task();
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < runs; i++) {
    const startCpu = cpuMs();
    const start = performance.now();
    await task();
    wall.push(performance.now() - start);
    cpu.push(cpuMs() - startCpu);
  }
  return { wallMs: Math.round(median(wall) * 10) / 10, cpuMs: Math.round(median(cpu) * 10) / 10 };
}
