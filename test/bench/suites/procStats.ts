/**
 * What the kernel says about the workers bench's processes (Linux /proc; zeros elsewhere): CPU time, and time their
 * threads were ready to run but waited for a core.
 */
import { readdirSync, readFileSync } from 'node:fs';

/** CPU and wait-for-a-core milliseconds of a set of processes. */
export interface TimeStats {
  readonly cpuMs: number;
  readonly waitForCoreMs: number;
}

/** The worker processes (`iir worker` itself) and their engine processes. */
export interface ProcessStats {
  readonly worker: TimeStats;
  readonly engine: TimeStats;
}

function read(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

/** CPU milliseconds of every thread the process ever had (utime + stime, fields 14 and 15, in 1/100 s). */
function cpuMsOf(pid: number): number {
  const fields = read(`/proc/${pid}/stat`)?.split(') ')[1]?.split(' ');
  return fields ? ((Number(fields[11]) + Number(fields[12])) * 1000) / 100 : 0;
}

/** Milliseconds the process's live threads spent runnable but not running (schedstat's second field, in ns). */
function waitForCoreMsOf(pid: number): number {
  let ns = 0;
  let tasks: string[];
  try {
    tasks = readdirSync(`/proc/${pid}/task`);
  } catch {
    return 0;
  }
  for (const task of tasks) ns += Number(read(`/proc/${pid}/task/${task}/schedstat`)?.split(' ')[1] ?? 0);
  return ns / 1e6;
}

/** The children of `pid` (a worker's engine process). */
function childrenOf(pid: number): number[] {
  let names: string[];
  try {
    names = readdirSync('/proc');
  } catch {
    return [];
  }
  return names
    .filter((name) => /^\d+$/.test(name))
    .map(Number)
    .filter((child) => read(`/proc/${child}/stat`)?.split(') ')[1]?.split(' ')[1] === `${pid}`);
}

const sum = (pids: readonly number[], of: (pid: number) => number): number =>
  pids.reduce((total, pid) => total + of(pid), 0);

function statsOf(pids: readonly number[], since?: TimeStats): TimeStats {
  return {
    cpuMs: sum(pids, cpuMsOf) - (since?.cpuMs ?? 0),
    waitForCoreMs: sum(pids, waitForCoreMsOf) - (since?.waitForCoreMs ?? 0),
  };
}

/** The workers' and their engines' times so far, or since `since`. */
export function processStats(pids: readonly number[], since?: ProcessStats): ProcessStats {
  const engines = pids.flatMap(childrenOf);
  return { worker: statsOf(pids, since?.worker), engine: statsOf(engines, since?.engine) };
}
