import { mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { ApiCallError, type JobEvent } from '../../../shared/api';
import { type RunningServer, startServer } from '../../../main/server/server';
import { createClient } from '../../../renderer/src/api/client';
import { webSocketTransport } from '../../../renderer/src/api/transport';
import { cacheDir } from '../../setup/global';
import { photoPath, startServices } from './helpers';

let services: Awaited<ReturnType<typeof startServices>>;
let server: RunningServer;
let client: ReturnType<typeof createClient>;
let host: string;

beforeAll(async () => {
  services = await startServices();
  const rendererDir = mkdtempSync(join(cacheDir, 'renderer-'));
  writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>IIR Studio</title>');
  server = await startServer({
    host: '127.0.0.1',
    port: 0,
    rendererDir,
    router: services.router,
    emitter: services.emitter,
    imagePng: (id) => services.images.png(id),
  });
  host = `127.0.0.1:${server.port}`;
  // What a browser does on its own: send the page's Origin with the WebSocket handshake.
  class BrowserLikeWebSocket extends WebSocket {
    constructor(url: string) {
      super(url, { origin: `http://${host}` });
    }
  }
  (globalThis as { WebSocket?: unknown }).WebSocket = BrowserLikeWebSocket;
  client = createClient(webSocketTransport({ protocol: 'http:', host, search: `?token=${server.token}` }));
});

afterAll(async () => {
  delete (globalThis as { WebSocket?: unknown }).WebSocket;
  await server.close();
  await services.dispose();
});

describe('the renderer client over serve mode', () => {
  it('serves the page with the token cookie (HttpOnly, SameSite=Strict) and a CSP', async () => {
    const page = await fetch(`http://${host}/?token=${server.token}`);
    expect(page.status).toBe(200);
    expect(page.headers.get('set-cookie')).toMatch(
      /^iir_token_[0-9a-f]{12}=[\w-]+; HttpOnly; SameSite=Strict; Path=\/$/,
    );
    expect(page.headers.get('content-security-policy')).toMatch(/default-src 'self'/);
  });

  it('answers values, throws typed errors, streams events and loads images by URL', async () => {
    expect(await client.settings.get({})).toMatchObject({ provider: 'auto', lowMemory: false });
    const failure = await client.images.open({ path: 'not/absolute.png' }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(ApiCallError);
    expect(failure).toMatchObject({ code: 'invalid_argument' });

    const image = await client.images.open({ path: photoPath('coffee') });
    const png = await fetch(`http://${host}${client.imageUrl(image.id)}`);
    expect(png.status).toBe(200);
    expect(png.headers.get('content-type')).toBe('image/png');

    const events: JobEvent[] = [];
    const done = new Promise<void>((resolve) => {
      const unsubscribe = client.on('jobs:event', (event) => {
        events.push(event);
        if (event.type === 'completed' || event.type === 'failed' || event.type === 'cancelled') {
          unsubscribe();
          resolve();
        }
      });
    });
    const mask = new Uint8Array(image.width * image.height).fill(255, 0, image.width * 50);
    const { jobId } = await client.edit.start({
      imageId: image.id,
      roi: { mask: { width: image.width, height: image.height, data: mask } },
      params: { prompt: 'a blue cup', steps: 2 },
    });
    await done;
    expect(events.every((event) => event.jobId === jobId)).toBe(true);
    expect(events.map((event) => event.type).at(-1)).toBe('completed');
  });
});
