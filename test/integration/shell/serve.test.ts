import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import {
  type Envelope,
  type JobEvent,
  type WireMessage,
  decodeWireMessage,
  encodeWireMessage,
} from '../../../shared/api';
import { type ServeChild, startServe } from '../../helpers/serve';
import { photoPath } from './helpers';

let serve: ServeChild;
let url: URL;
let token: string;
let origin: string;

beforeAll(async () => {
  serve = await startServe('serve-');
  expect(serve.firstLine).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=[A-Za-z0-9_-]{43}$/);
  url = new URL(serve.firstLine);
  token = url.searchParams.get('token')!;
  origin = `http://${url.host}`;
});

afterAll(() => serve.stop());

/** Connects and resolves with the socket, or rejects with the HTTP status the server refused with. */
function connect(query: string, headers: Record<string, string>): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://${url.host}/api${query}`, { headers });
    ws.once('open', () => resolve(ws));
    ws.once('unexpected-response', (_request, response) => reject(new Error(`refused ${response.statusCode}`)));
    ws.once('error', reject);
  });
}

/** A tiny client over the wire format: calls and collected events. */
function client(ws: WebSocket) {
  let nextId = 1;
  const pending = new Map<number, (envelope: Envelope<unknown>) => void>();
  const events: JobEvent[] = [];
  const listeners: ((event: JobEvent) => void)[] = [];
  ws.on('message', (data: Buffer) => {
    const message = decodeWireMessage(new Uint8Array(data)) as WireMessage;
    if (message.t === 'res') pending.get(message.id)?.(message.envelope);
    if (message.t === 'evt' && message.channel === 'jobs:event') {
      events.push(message.payload as JobEvent);
      for (const listener of listeners) listener(message.payload as JobEvent);
    }
  });
  return {
    events,
    call(channel: string, request: unknown) {
      const id = nextId++;
      ws.send(encodeWireMessage({ t: 'req', id, channel, request }));
      return new Promise<Envelope<unknown>>((resolve) => pending.set(id, resolve));
    },
    until(predicate: (event: JobEvent) => boolean) {
      return new Promise<JobEvent>((resolve) => {
        const found = events.find(predicate);
        if (found) return resolve(found);
        listeners.push((event) => {
          if (predicate(event)) resolve(event);
        });
      });
    },
  };
}

describe('serve mode', () => {
  // The cookie (its per-server name, the one-time URL of --open) is tested in serveAuth.test.ts.
  it('refuses HTTP requests without the token and accepts the token', async () => {
    expect((await fetch(`${origin}/`)).status).toBe(403);
    expect((await fetch(`${origin}/?token=wrong`)).status).toBe(403);
    expect((await fetch(`${origin}/image/img_x`)).status).toBe(403);
    const withToken = await fetch(`${origin}/image/img_unknown?token=${token}`);
    expect(withToken.status).toBe(404);
    const oldCookie = await fetch(`${origin}/image/img_unknown`, { headers: { cookie: `iir_token=${token}` } });
    expect(oldCookie.status).toBe(403);
    const traversal = await fetch(`${origin}/..%2f..%2fpackage.json?token=${token}`);
    expect(traversal.status).toBe(404);
  });

  it('refuses a WebSocket without the token or from another origin', async () => {
    await expect(connect('', { origin })).rejects.toThrow(/refused 403/);
    await expect(connect('?token=nope', { origin })).rejects.toThrow(/refused 403/);
    await expect(connect(`?token=${token}`, { origin: 'http://evil.example' })).rejects.toThrow(/refused 403/);
    await expect(connect(`?token=${token}`, {})).rejects.toThrow(/refused 403/);
    await expect(connect('', { origin, cookie: `iir_token=${token}` })).rejects.toThrow(/refused 403/);
    const ws = await connect(`?token=${token}`, { origin });
    ws.close();
  });

  it('serves the API: bad requests get invalid_argument, edits stream events, cancel works, images by id', async () => {
    const ws = await connect(`?token=${token}`, { origin });
    const api = client(ws);
    expect(await api.call('images:open', { path: 'relative/photo.png' })).toMatchObject({
      ok: false,
      error: { code: 'invalid_argument' },
    });
    const opened = (await api.call('images:open', { path: photoPath('chelsea') })) as Envelope<{ id: string }>;
    if (!opened.ok) throw new Error(opened.error.message);
    const png = await fetch(`${origin}/image/${opened.value.id}?token=${token}`);
    expect(png.headers.get('content-type')).toBe('image/png');
    expect((await png.arrayBuffer()).byteLength).toBeGreaterThan(10_000);

    const data = new Uint8Array(451 * 300);
    data.fill(255, 451 * 100, 451 * 200);
    const roi = { mask: { width: 451, height: 300, data } };
    const first = (await api.call('edit:start', {
      imageId: opened.value.id,
      roi,
      params: { prompt: 'a cat made of glass', steps: 2, seed: 5 },
    })) as Envelope<{ jobId: string }>;
    if (!first.ok) throw new Error(first.error.message);
    const completed = await api.until((e) => e.jobId === first.value.jobId && e.type === 'completed');
    if (completed.type !== 'completed' || completed.result.kind !== 'edit') throw new Error('no result');
    const types = api.events.filter((e) => e.jobId === first.value.jobId).map((e) => e.type);
    expect(types[0]).toBe('queued');
    expect(types).toContain('step');
    const result = await fetch(`${origin}/image/${completed.result.resultIds[0]}?token=${token}`);
    expect(result.status).toBe(200);

    const long = (await api.call('edit:start', {
      imageId: opened.value.id,
      roi,
      params: { prompt: 'a dog', steps: 120 },
    })) as Envelope<{ jobId: string }>;
    if (!long.ok) throw new Error(long.error.message);
    await api.until((e) => e.jobId === long.value.jobId && e.type === 'step');
    expect(await api.call('jobs:cancel', { jobId: long.value.jobId })).toEqual({
      ok: true,
      value: { wasActive: true },
    });
    const end = await api.until(
      (e) => e.jobId === long.value.jobId && ['completed', 'failed', 'cancelled'].includes(e.type),
    );
    expect(end.type).toBe('cancelled');
    ws.close();
  });

  it('closes a connection that sends malformed or oversized messages, and keeps serving others', async () => {
    const bad = await connect(`?token=${token}`, { origin });
    const closed = new Promise<number>((resolve) => bad.once('close', resolve));
    bad.send('{"t":"req"}');
    expect(await closed).toBe(1003);
    const huge = await connect(`?token=${token}`, { origin });
    const hugeClosed = new Promise<number>((resolve) => huge.once('close', resolve));
    huge.send(new Uint8Array(129 * 1024 * 1024));
    // The server answers 1009; a client still sending may only see the socket drop (1006).
    expect([1006, 1009]).toContain(await hugeClosed);
    const good = await connect(`?token=${token}`, { origin });
    expect(await client(good).call('settings:get', {})).toMatchObject({ ok: true, value: { provider: 'auto' } });
    good.close();
  });
});
