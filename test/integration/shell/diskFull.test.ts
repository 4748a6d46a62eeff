import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { type Envelope, type WireMessage, decodeWireMessage, encodeWireMessage } from '../../../shared/api';
import { cacheDir } from '../../setup/global';

const root = join(import.meta.dirname, '..', '..', '..');
const children: ChildProcess[] = [];
const mounts: string[] = [];

afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
  for (const dir of mounts.splice(0)) execFileSync('umount', ['-l', dir]);
});

/** `iir serve` over `userData`; resolves with its URL once it listens. */
async function serve(userData: string): Promise<{ child: ChildProcess; url: URL; token: string }> {
  const env = { ...process.env, IIR_USER_DATA: userData, IIR_MODELS_DIR: mkdtempSync(join(cacheDir, 'nomodels-')) };
  const child = spawn(process.execPath, ['--import', 'tsx', 'main/cli/index.ts', 'serve', '--port', '0'], {
    cwd: root,
    env,
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  children.push(child);
  const line = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`serve exited with ${code}`)));
  });
  const url = new URL(line);
  return { child, url, token: url.searchParams.get('token')! };
}

function attempt(url: URL, query: string): Promise<number | WebSocket> {
  return new Promise((resolve) => {
    const ws = new WebSocket(`ws://${url.host}/api${query}`, { headers: { origin: `http://${url.host}` } });
    ws.once('open', () => resolve(ws));
    ws.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
    ws.once('error', () => resolve(-1));
  });
}

async function call(ws: WebSocket, channel: string, request: unknown): Promise<Envelope<unknown>> {
  const answer = new Promise<Envelope<unknown>>((resolve) =>
    ws.on('message', (data: Buffer) => {
      const message = decodeWireMessage(new Uint8Array(data)) as WireMessage;
      if (message.t === 'res' && message.id === 1) resolve(message.envelope);
    }),
  );
  ws.send(encodeWireMessage({ t: 'req', id: 1, channel, request }));
  return answer;
}

/** Within 5 s, or the server is stuck. */
function answersWithin<T>(promise: Promise<T>, ms = 5_000): Promise<T | 'no answer'> {
  return Promise.race([promise, new Promise<'no answer'>((resolve) => setTimeout(() => resolve('no answer'), ms))]);
}

function userDataWithLog(make: (logPath: string) => void): string {
  const dir = mkdtempSync(join(cacheDir, 'diskfull-'));
  mkdirSync(join(dir, 'logs'));
  make(join(dir, 'logs', 'main.log'));
  return dir;
}

describe.skipIf(process.platform !== 'linux')('serve mode on a full or stuck log disk', () => {
  it('stays up after 62 refused WebSocket attempts when every log write fails with ENOSPC', async () => {
    const { child, url, token } = await serve(userDataWithLog((log) => symlinkSync('/dev/full', log)));
    for (let i = 0; i < 62; i++) expect(await attempt(url, '')).toBe(403);
    expect(child.exitCode).toBeNull();
    const ws = await attempt(url, `?token=${token}`);
    if (!(ws instanceof WebSocket)) throw new Error(`refused ${ws}`);
    expect(await call(ws, 'settings:get', {})).toMatchObject({ ok: true });
    ws.close();
  }, 60_000);

  it('answers requests while a log write is stuck (the log is a FIFO nobody reads)', async () => {
    const { url, token } = await serve(userDataWithLog((log) => execFileSync('mkfifo', [log])));
    expect(await attempt(url, '')).toBe(403);
    const page = await answersWithin(fetch(`http://${url.host}/image/img_x?token=${token}`).then((r) => r.status));
    expect(page).toBe(404);
    const ws = await answersWithin(attempt(url, `?token=${token}`));
    if (!(ws instanceof WebSocket)) throw new Error(`refused ${String(ws)}`);
    expect(await answersWithin(call(ws, 'settings:get', {}))).toMatchObject({ ok: true });
    ws.close();
  }, 60_000);

  it('answers "disk full" (io_error), not internal, when the user-data disk is full', async (context) => {
    const dir = mkdtempSync(join(cacheDir, 'tmpfs-'));
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', dir], { stdio: 'ignore' });
    } catch {
      context.skip('mounting a small tmpfs needs root (the ENOSPC cases above still ran)');
    }
    mounts.push(dir);
    mkdirSync(join(dir, 'logs'));
    const { child, url, token } = await serve(dir);
    // Fill the disk to the last byte.
    try {
      writeFileSync(join(dir, 'filler'), Buffer.alloc(2 * 1024 * 1024));
    } catch {
      // ENOSPC: full, as wanted
    }
    const ws = await attempt(url, `?token=${token}`);
    if (!(ws instanceof WebSocket)) throw new Error(`refused ${ws}`);
    const answer = await call(ws, 'settings:set', { lowMemory: true });
    expect(answer).toMatchObject({ ok: false, error: { code: 'io_error' } });
    expect(!answer.ok && answer.error.message).toMatch(/^disk full: .*free some space/);
    ws.close();
    expect(child.exitCode).toBeNull();
  }, 60_000);
});
