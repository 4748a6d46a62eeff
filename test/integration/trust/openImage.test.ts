import { execFileSync } from 'node:child_process';
import { openSync, closeSync, ftruncateSync } from 'node:fs';
import { type Server, createServer } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { maxImageBytes } from '../../../shared/api';
import type { RunningServer } from '../../../main/server/server';
import type { AppServices } from '../../../main/services/app';
import { photoPath } from '../shell/helpers';
import { type SocketClient, scratch, startApp, startServe } from './helpers';

let services: AppServices;
let server: RunningServer;
let socket: SocketClient;
let dir: string;
let unixServer: Server;

beforeAll(async () => {
  services = await startApp();
  ({ server, socket } = await startServe(services));
  dir = scratch('trust-open');
  for (let i = 0; i < 4; i++) execFileSync('mkfifo', [join(dir, `pipe${i}.png`)]);
  unixServer = createServer();
  await new Promise<void>((resolve) => unixServer.listen(join(dir, 'socket.png'), resolve));
  // 1.5 GB that takes no disk: a sparse file, as `truncate -s 1500M` makes.
  const sparse = openSync(join(dir, 'huge.png'), 'w');
  ftruncateSync(sparse, 1_500_000_000);
  closeSync(sparse);
});

afterAll(async () => {
  socket.close();
  await new Promise((resolve) => unixServer.close(resolve));
  await server.close();
  await services.dispose();
});

const open = (path: string) => socket.call('images:open', { path });
const refusal = (message: RegExp) => ({ ok: false, error: { code: 'invalid_argument', message } });

describe('images:open reads only regular files, within the upload limit', () => {
  it('refuses /dev/zero by name without reading it', async () => {
    const before = process.memoryUsage().rss;
    expect(await open('/dev/zero')).toMatchObject(refusal(/^cannot open zero: it is a device, not an image file$/));
    expect(process.memoryUsage().rss - before).toBeLessThan(64 * 1024 * 1024);
  });

  it('refuses FIFOs at once (four of them), and the server keeps answering', { timeout: 10_000 }, async () => {
    const answers = await Promise.all([0, 1, 2, 3].map((i) => open(join(dir, `pipe${i}.png`))));
    for (const answer of answers) {
      expect(answer).toMatchObject(
        refusal(/^cannot open pipe\d\.png: it is a named pipe \(FIFO\), not an image file$/),
      );
    }
    expect(await socket.call('settings:get', {})).toMatchObject({ ok: true });
  });

  it('refuses a socket and a folder by name', async () => {
    expect(await open(join(dir, 'socket.png'))).toMatchObject(refusal(/^cannot open socket\.png: it is a socket/));
    expect(await open(dir)).toMatchObject(refusal(/: it is a folder, not an image file$/));
  });

  it('refuses a 1.5 GB file by its size before reading it', async () => {
    const before = process.memoryUsage().rss;
    const started = performance.now();
    expect(await open(join(dir, 'huge.png'))).toMatchObject(
      refusal(/^cannot open huge\.png: it is 1431 MiB; the limit is 256 MiB$/),
    );
    expect(performance.now() - started).toBeLessThan(2_000);
    expect(process.memoryUsage().rss - before).toBeLessThan(64 * 1024 * 1024);
    expect(maxImageBytes).toBe(256 * 1024 * 1024);
  });

  it('still opens a photo, and a missing file is not_found', async () => {
    expect(await open(photoPath('chelsea'))).toMatchObject({ ok: true, value: { width: 451, height: 300 } });
    expect(await open(join(dir, 'gone.png'))).toMatchObject({
      ok: false,
      error: { code: 'not_found', message: 'cannot read gone.png: no such file' },
    });
  });
});
