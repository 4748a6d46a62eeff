import { mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import {
  type Envelope,
  type ImageId,
  type WireMessage,
  decodeWireMessage,
  encodeWireMessage,
} from '../../../shared/api';
import { startServe } from '../../../main/server/run';
import { ImageStore } from '../../../main/services/images';
import { cacheDir } from '../../setup/global';
import { photoPath } from './helpers';

function rgb(side: number, value: number) {
  return { width: side, height: side, data: new Uint8Array(side * side * 3).fill(value) };
}

describe('the main-side image store is bounded by bytes', () => {
  it('forgets the least recently used images past its budget, never the open original', async () => {
    const store = new ImageStore(3_000_000);
    const original = await store.open({ path: photoPath('chelsea') });
    const ids: ImageId[] = [];
    for (let i = 0; i < 20; i++) {
      ids.push(store.addRgb('result', rgb(400, i)).id); // 480 kB each
      if (i === 3) store.info(ids[0]!); // a use makes it recent again
      if (i === 5) {
        expect(store.info(ids[0]!).kind).toBe('result');
        expect(() => store.info(ids[1]!)).toThrow(/forgotten to free memory/);
      }
      expect(store.usage().bytes).toBeLessThanOrEqual(3_000_000);
    }
    expect(store.info(original.id).kind).toBe('original');
    expect(store.info(ids[19]!).kind).toBe('result');
    expect(store.usage().count).toBeLessThan(8);
    // A released image gives its bytes back.
    const before = store.usage().bytes;
    store.release(ids[19]!);
    expect(store.usage().bytes).toBe(before - 480_000);
  });

  it('counts an encoded PNG against the budget once it exists', async () => {
    const store = new ImageStore(10_000_000);
    const id = store.addRgb('result', rgb(300, 9)).id;
    const held = store.usage().bytes;
    const png = await store.png(id);
    await Promise.resolve();
    expect(store.usage().bytes).toBe(held + png.byteLength);
  });
});

function connect(host: string, token: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://${host}/api?token=${token}`, { headers: { origin: `http://${host}` } });
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

function call(ws: WebSocket, id: number, channel: string, request: unknown): Promise<Envelope<unknown>> {
  return new Promise((resolve) => {
    ws.on('message', (data: Buffer) => {
      const message = decodeWireMessage(new Uint8Array(data)) as WireMessage;
      if (message.t === 'res' && message.id === id) resolve(message.envelope);
    });
    ws.send(encodeWireMessage({ t: 'req', id, channel, request }));
  });
}

describe('serve mode', () => {
  it('a page that reloads (its socket closes, a new one opens) starts clean: the old images are gone', async () => {
    const userData = mkdtempSync(join(cacheDir, 'reload-'));
    const rendererDir = mkdtempSync(join(cacheDir, 'renderer-'));
    writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>IIR Studio</title>');
    const serve = await startServe({
      host: '127.0.0.1',
      port: 0,
      open: false,
      env: { ...process.env, IIR_USER_DATA: userData, IIR_MODELS_DIR: join(userData, 'models') },
      rendererDir,
      log: () => undefined,
      printUrl: () => undefined,
    });
    try {
      const host = `127.0.0.1:${serve.server.port}`;
      const first = await connect(host, serve.server.token);
      const opened = await call(first, 1, 'images:open', { path: photoPath('coffee') });
      if (!opened.ok) throw new Error(opened.error.message);
      const { id } = opened.value as { id: string };
      // A second tab keeps the images alive while it is open.
      const tab = await connect(host, serve.server.token);
      first.close();
      await new Promise((resolve) => first.once('close', resolve));
      expect(await call(tab, 2, 'images:info', { id })).toMatchObject({ ok: true });
      tab.close();
      await new Promise((resolve) => tab.once('close', resolve));
      await new Promise((resolve) => setTimeout(resolve, 100));
      const reloaded = await connect(host, serve.server.token);
      expect(await call(reloaded, 3, 'images:info', { id })).toMatchObject({
        ok: false,
        error: { code: 'not_found' },
      });
      reloaded.close();
    } finally {
      await serve.stop();
    }
  });
});
