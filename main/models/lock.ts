import { readFileSync } from 'node:fs';
import { readFile, rename, unlink, writeFile, link } from 'node:fs/promises';
import { hostname } from 'node:os';
import { IirError } from '../../shared/errors';

interface LockInfo {
  pid: number;
  host: string;
  startedAt: string;
  /**
   * The holder's start time as the kernel counts it (`/proc/<pid>/stat` field 22, clock ticks since boot), so a PID
   * reused by another process after a crash is not mistaken for the holder. Null where there is no /proc.
   */
  processStart?: string | null;
}

/** What /proc says about a process on Linux: its state letter and start time; null when it does not exist. */
export function procStat(pid: number): { state: string; start: string } | null {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  // The command name (field 2) is in parentheses and may hold spaces or parentheses: split after the last one.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  const state = fields[0];
  const start = fields[19];
  return state && start ? { state, start } : null;
}

const hasProc = process.platform === 'linux';

/** This process's start time for the lock (null without /proc). */
function ownStart(): string | null {
  return hasProc ? (procStat(process.pid)?.start ?? null) : null;
}

/**
 * Whether the lock's holder still runs. On Linux: the PID exists, is not a zombie (killed, not yet reaped) and
 * started when the lock says. Elsewhere: signal 0 reaches the PID (a reused PID then counts as alive, the safe side).
 */
export function isHolderAlive(info: Pick<LockInfo, 'pid' | 'processStart'>): boolean {
  if (hasProc) {
    const stat = procStat(info.pid);
    if (stat === null || stat.state === 'Z' || stat.state === 'X') return false;
    return info.processStart ? stat.start === info.processStart : true;
  }
  try {
    process.kill(info.pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function readLock(path: string): Promise<{ text: string; info: LockInfo | null } | null> {
  try {
    const text = await readFile(path, 'utf8');
    try {
      const info = JSON.parse(text) as LockInfo;
      return { text, info: Number.isInteger(info.pid) ? info : null };
    } catch {
      return { text, info: null };
    }
  } catch {
    return null;
  }
}

/**
 * Takes the lock file at `path` for this process, or throws when a live process holds it. A lock left by a process
 * that died (kill -9, power loss), whose PID now names another process, or whose holder is a zombie, is taken over.
 * Returns the release function.
 */
export async function acquireLock(path: string, what: string): Promise<() => Promise<void>> {
  const mine: LockInfo = {
    pid: process.pid,
    host: hostname(),
    startedAt: new Date().toISOString(),
    processStart: ownStart(),
  };
  const text = JSON.stringify(mine);
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      await writeFile(path, text, { flag: 'wx' });
      return async () => {
        const current = await readLock(path);
        if (current?.text === text) await unlink(path).catch(() => undefined);
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw new IirError('io_error', `cannot create ${path} (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
      }
    }
    const held = await readLock(path);
    if (held === null) continue;
    // A lock from another machine (shared folder) cannot be checked: respect it. A half-written one is stale.
    const stale = held.info === null || (held.info.host === mine.host && !isHolderAlive(held.info));
    if (!stale) {
      throw new IirError(
        'io_error',
        `${what} is already being downloaded by process ${held.info?.pid} on ${held.info?.host}; wait for it to finish`,
      );
    }
    // Move the stale lock aside atomically, then check it is the one we judged: another process may have replaced it.
    const aside = `${path}.stale-${process.pid}`;
    try {
      await rename(path, aside);
    } catch {
      continue;
    }
    const moved = await readLock(aside);
    if (moved?.text !== held.text) await link(aside, path).catch(() => undefined);
    await unlink(aside).catch(() => undefined);
  }
  throw new IirError('io_error', `cannot take the lock ${path}; another process keeps replacing it`);
}
