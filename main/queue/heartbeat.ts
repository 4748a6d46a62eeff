import { execFile } from 'node:child_process';
import { cpus, totalmem } from 'node:os';
import type { Redis } from 'ioredis';
import { z } from 'zod';
import { keyPrefix } from './jobs';

/** What a worker tells the others (and `iir workers`) about itself, renewed every few seconds while it lives. */
export const workerHeartbeatSchema = z.object({
  id: z.string(),
  host: z.string(),
  pid: z.number(),
  /** The provider asked for, and the one it resolved to. */
  provider: z.string(),
  resolvedProvider: z.string().nullable().default(null),
  /** The device: a GPU's name and memory (nvidia-smi), else the CPU's model and the machine's memory. */
  device: z.object({ name: z.string(), memoryBytes: z.number().nullable() }).default({ name: '?', memoryBytes: null }),
  /** The engine's CPU thread budget (`--threads`; null: every core) and the jobs it holds at once. */
  threads: z.number().int().positive().nullable().default(null),
  concurrency: z.number().int().positive().default(1),
  models: z.array(z.string()),
  queues: z.array(z.string()),
  /** This worker's own queue (the editor's jobs aimed at it). */
  direct: z.string().nullable().default(null),
  current: z.string().nullable(),
  done: z.number(),
  failed: z.number(),
  /** Jobs finished per minute over the last 10 minutes (null before the first). */
  perMinute: z.number().nullable().default(null),
  /** Mean milliseconds per finished job over the same window (null before the first). */
  msPerJob: z.number().nullable().default(null),
  startedAt: z.string(),
  seenAt: z.string(),
});
/** See {@link workerHeartbeatSchema}. */
export type WorkerHeartbeat = z.infer<typeof workerHeartbeatSchema>;

/** How often a worker renews its heartbeat; it expires after three misses. */
export const heartbeatMs = 5000;

/** The heartbeats of the live workers, fastest first (by time per job, those without one last). */
export async function readHeartbeats(redis: Redis): Promise<WorkerHeartbeat[]> {
  const keys: string[] = [];
  let cursor = '0';
  do {
    const [next, batch] = await redis.scan(cursor, 'MATCH', `${keyPrefix}:worker:*`, 'COUNT', 200);
    cursor = next;
    keys.push(...batch);
  } while (cursor !== '0');
  const values = keys.length > 0 ? await redis.mget(keys) : [];
  const beats = values.flatMap((value) => {
    if (value === null) return [];
    try {
      const parsed = workerHeartbeatSchema.safeParse(JSON.parse(value));
      return parsed.success ? [parsed.data] : [];
    } catch {
      return [];
    }
  });
  return beats.sort((a, b) => (a.msPerJob ?? Infinity) - (b.msPerJob ?? Infinity) || a.id.localeCompare(b.id));
}

/**
 * Advice for a worker started beside others on the same host: when their thread budgets and its own add up to more
 * than the host's cores they fight over them (each worker's default is every core), so it names a fair share.
 */
export function sharedHostAdvice(
  beats: readonly WorkerHeartbeat[],
  self: { readonly id: string; readonly host: string; readonly threads: number },
  cores: number,
): string | null {
  const others = beats.filter((beat) => beat.host === self.host && beat.id !== self.id);
  const total = others.reduce((sum, beat) => sum + (beat.threads ?? cores), self.threads);
  if (others.length === 0 || total <= cores) return null;
  const share = Math.max(1, Math.floor(cores / (others.length + 1)));
  return (
    `${others.length + 1} workers on ${self.host} use ${total} threads on ${cores} cores and will slow each other ` +
    `down: start each with --threads ${share}`
  );
}

/** Finished jobs over a sliding window, for the heartbeat's throughput. */
export class Throughput {
  private readonly finished: { at: number; ms: number }[] = [];
  constructor(private readonly windowMs = 600_000) {}

  add(ms: number, at = Date.now()): void {
    this.finished.push({ at, ms });
  }

  figures(startedAt: number, now = Date.now()): { perMinute: number | null; msPerJob: number | null } {
    while (this.finished.length > 0 && this.finished[0]!.at < now - this.windowMs) this.finished.shift();
    if (this.finished.length === 0) return { perMinute: null, msPerJob: null };
    const span = Math.max(1000, Math.min(this.windowMs, now - startedAt));
    const total = this.finished.reduce((sum, f) => sum + f.ms, 0);
    return {
      perMinute: Math.round((this.finished.length / span) * 60_000 * 10) / 10,
      msPerJob: Math.round(total / this.finished.length),
    };
  }
}

/** The first GPU nvidia-smi names, or the CPU: what `iir workers` shows as a worker's device. */
export function describeDevice(): Promise<{ name: string; memoryBytes: number | null }> {
  const cpu = { name: cpus()[0]?.model.trim() ?? 'CPU', memoryBytes: totalmem() };
  return new Promise((resolve) => {
    execFile(
      'nvidia-smi',
      ['--query-gpu=name,memory.total', '--format=csv,noheader,nounits'],
      { timeout: 3000 },
      (error, stdout) => {
        const [name, mib] = (error ? '' : (stdout.split('\n')[0] ?? '')).split(',').map((s) => s.trim());
        resolve(name ? { name, memoryBytes: Number(mib) > 0 ? Number(mib) * 1024 * 1024 : null } : cpu);
      },
    );
  });
}
