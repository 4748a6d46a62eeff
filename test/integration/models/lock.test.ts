import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterEach, describe, expect, it } from 'vitest';
import { acquireLock, procStat } from '../../../main/models/lock';
import { cacheDir } from '../../setup/global';

const linux = process.platform === 'linux';
const children: ChildProcess[] = [];

afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
});

async function lockDir(): Promise<string> {
  await mkdir(join(cacheDir, 'locks'), { recursive: true });
  return mkdtemp(join(cacheDir, 'locks', 'l-'));
}

/** A process that stays alive until the test ends. */
function liveProcess(): number {
  const child = spawn('sleep', ['60'], { stdio: 'ignore' });
  children.push(child);
  return child.pid!;
}

/**
 * A zombie: a shell starts a background child that exits shortly after, then execs into `sleep`, which never reaps
 * it. The zombie's PID is printed before the exec.
 */
async function zombieProcess(): Promise<number> {
  const child = spawn('sh', ['-c', 'sleep 0.2 & echo $!; exec sleep 60'], { stdio: ['ignore', 'pipe', 'ignore'] });
  children.push(child);
  const line = await new Promise<string>((resolve) => createInterface({ input: child.stdout }).once('line', resolve));
  const pid = Number(line);
  for (let i = 0; i < 250 && procStat(pid)?.state !== 'Z'; i++) await new Promise((r) => setTimeout(r, 20));
  return pid;
}

async function writeLock(path: string, pid: number, processStart: string | null): Promise<void> {
  await writeFile(path, JSON.stringify({ pid, host: hostname(), startedAt: '2026-01-01T00:00:00Z', processStart }));
}

describe.skipIf(!linux)('the download lock tells a dead holder from a live one (Linux /proc)', () => {
  it('records this process’s start time in the lock', async () => {
    const path = join(await lockDir(), '.pull.lock');
    const release = await acquireLock(path, 'model "m"');
    const info = JSON.parse(await readFile(path, 'utf8')) as { pid: number; processStart: string };
    expect(info.pid).toBe(process.pid);
    expect(info.processStart).toBe(procStat(process.pid)?.start);
    await release();
    expect(existsSync(path)).toBe(false);
  });

  it('respects a lock whose live holder started when the lock says', async () => {
    const path = join(await lockDir(), '.pull.lock');
    const pid = liveProcess();
    await writeLock(path, pid, procStat(pid)!.start);
    await expect(acquireLock(path, 'model "m"')).rejects.toThrow(/already being downloaded by process/);
  });

  it('takes over a lock whose PID now belongs to another live process (PID reused after a crash)', async () => {
    const path = join(await lockDir(), '.pull.lock');
    const pid = liveProcess();
    const otherStart = String(Number(procStat(pid)!.start) - 1);
    await writeLock(path, pid, otherStart);
    const release = await acquireLock(path, 'model "m"');
    expect((JSON.parse(await readFile(path, 'utf8')) as { pid: number }).pid).toBe(process.pid);
    await release();
  });

  it('takes over a lock held by a zombie (killed, not yet reaped)', async () => {
    const path = join(await lockDir(), '.pull.lock');
    const pid = await zombieProcess();
    expect(procStat(pid)?.state).toBe('Z');
    await writeLock(path, pid, procStat(pid)!.start);
    const release = await acquireLock(path, 'model "m"');
    expect((JSON.parse(await readFile(path, 'utf8')) as { pid: number }).pid).toBe(process.pid);
    await release();
  });

  it('takes over an old-format lock (no start time) of a zombie, and respects one of a live process', async () => {
    const dir = await lockDir();
    const zombie = await zombieProcess();
    await writeFile(join(dir, 'a.lock'), JSON.stringify({ pid: zombie, host: hostname(), startedAt: '' }));
    await (
      await acquireLock(join(dir, 'a.lock'), 'a')
    )();
    const live = liveProcess();
    await writeFile(join(dir, 'b.lock'), JSON.stringify({ pid: live, host: hostname(), startedAt: '' }));
    await expect(acquireLock(join(dir, 'b.lock'), 'b')).rejects.toThrow(/already being downloaded/);
  });
});
