import { mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { ok } from '../../../shared/api';
import { createEmitter } from '../../../main/ipc/emitter';
import { startServe } from '../../../main/server/run';
import { type RunningServer, startServer } from '../../../main/server/server';
import { cacheDir } from '../../setup/global';

const servers: RunningServer[] = [];
let rendererDir: string;

beforeAll(() => {
  rendererDir = mkdtempSync(join(cacheDir, 'renderer-'));
  writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>IIR Studio</title>');
});

afterAll(async () => {
  for (const server of servers) await server.close();
});

async function start(): Promise<RunningServer> {
  const server = await startServer({
    host: '127.0.0.1',
    port: 0,
    rendererDir,
    router: { dispatch: () => Promise.resolve(ok(null)) },
    emitter: createEmitter(),
    imagePng: () => Promise.resolve(new Uint8Array()),
  });
  servers.push(server);
  return server;
}

/** The `name=value` part of a Set-Cookie header, and its attributes. */
function cookieOf(response: Response): { pair: string; attributes: string[] } {
  const [pair, ...attributes] = (response.headers.get('set-cookie') ?? '').split(';').map((p) => p.trim());
  return { pair: pair ?? '', attributes };
}

function upgrade(server: RunningServer, cookie: string): Promise<number> {
  return new Promise((resolve) => {
    const host = `127.0.0.1:${server.port}`;
    const ws = new WebSocket(`ws://${host}/api`, { headers: { origin: `http://${host}`, cookie } });
    ws.once('open', () => {
      ws.close();
      resolve(101);
    });
    ws.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
  });
}

describe('the serve-mode token cookie', () => {
  it('has a name unique to each server, HttpOnly, SameSite=Strict and Path=/', async () => {
    const a = await start();
    const b = await start();
    const pageA = cookieOf(await fetch(`http://127.0.0.1:${a.port}/?token=${a.token}`));
    const pageB = cookieOf(await fetch(`http://127.0.0.1:${b.port}/?token=${b.token}`));
    expect(pageA.pair).toMatch(/^iir_token_[0-9a-f]{12}=/);
    expect(pageA.pair.split('=')[0]).toBe(a.cookieName);
    expect(a.cookieName).not.toBe(b.cookieName);
    expect(pageA.attributes).toEqual(['HttpOnly', 'SameSite=Strict', 'Path=/']);
    // A browser sends both servers' cookies to either one (cookies ignore the port): each reads only its own.
    const both = `${pageA.pair}; ${pageB.pair}`;
    expect(await upgrade(a, both)).toBe(101);
    expect(await upgrade(b, pageA.pair)).toBe(403);
    expect((await fetch(`http://127.0.0.1:${b.port}/`, { headers: { cookie: pageA.pair } })).status).toBe(403);
    expect((await fetch(`http://127.0.0.1:${b.port}/`, { headers: { cookie: `iir_token=${b.token}` } })).status).toBe(
      403,
    );
  });
});

describe('serve --open', () => {
  it('opens a one-time URL without the token, which the server trades once for the cookie', async () => {
    const server = await start();
    const url = server.oneTimeUrl();
    expect(url).not.toContain(server.token);
    const first = await fetch(url, { redirect: 'manual' });
    expect(first.status).toBe(303);
    expect(first.headers.get('location')).toBe('/');
    const { pair } = cookieOf(first);
    expect(pair).toBe(`${server.cookieName}=${server.token}`);
    expect((await fetch(`http://127.0.0.1:${server.port}/`, { headers: { cookie: pair } })).status).toBe(200);
    const again = await fetch(url, { redirect: 'manual' });
    expect(again.status).toBe(403);
    expect(again.headers.get('set-cookie')).toBeNull();
    expect((await fetch(`http://127.0.0.1:${server.port}/open?nonce=made-up`, { redirect: 'manual' })).status).toBe(
      403,
    );
  });

  it('gives the browser opener only the one-time URL', async () => {
    const opened: string[] = [];
    const printed: string[] = [];
    const userData = mkdtempSync(join(cacheDir, 'serve-open-'));
    const serve = await startServe({
      host: '127.0.0.1',
      port: 0,
      open: true,
      env: { ...process.env, IIR_USER_DATA: userData, IIR_MODELS_DIR: join(userData, 'models') },
      rendererDir,
      log: () => undefined,
      printUrl: (url) => printed.push(url),
      openBrowser: (url) => opened.push(url),
    });
    try {
      expect(opened).toHaveLength(1);
      expect(opened[0]).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/open\?nonce=[\w-]{43}$/);
      expect(opened[0]).not.toContain(serve.server.token);
      expect(printed[0]).toContain(serve.server.token);
      expect((await fetch(opened[0]!, { redirect: 'manual' })).status).toBe(303);
    } finally {
      await serve.stop();
    }
  });
});
