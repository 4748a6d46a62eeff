import { readFile, rename, unlink, writeFile, link } from 'node:fs/promises';
import { hostname } from 'node:os';
import { IirError } from '../../shared/errors';

interface LockInfo {
  pid: number;
  host: string;
  startedAt: string;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
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
 * that died (kill -9, power loss) is taken over. Returns the release function.
 */
export async function acquireLock(path: string, what: string): Promise<() => Promise<void>> {
  const mine: LockInfo = { pid: process.pid, host: hostname(), startedAt: new Date().toISOString() };
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
    const stale = held.info === null || (held.info.host === mine.host && !isAlive(held.info.pid));
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
