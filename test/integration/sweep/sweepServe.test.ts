/**
 * Sweeps in serve mode, through the same API as the desktop app: `sweep:start` over the WebSocket runs the grid in
 * the engine process, streams step events, and completes with every cell's result (exportable, with its recipe) and
 * tile; a bad axis gets a one-line invalid_argument; cancel stops it.
 */
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import {
  type Envelope,
  type JobEvent,
  type WireMessage,
  decodeWireMessage,
  encodeWireMessage,
} from '../../../shared/api';
import { readRecipe } from '../../../main/engine/recipe';
import { type ServeChild, startServe } from '../../helpers/serve';

let serve: ServeChild;
let host: string;
let token: string;

beforeAll(async () => {
  serve = await startServe('serve-sweep-');
  const url = new URL(serve.firstLine);
  host = url.host;
  token = url.searchParams.get('token')!;
});

afterAll(() => serve.stop());

async function connect() {
  const ws = new WebSocket(`ws://${host}/api?token=${token}`, { headers: { origin: `http://${host}` } });
  await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
  let nextId = 1;
  const pending = new Map<number, (envelope: Envelope<unknown>) => void>();
  const events: JobEvent[] = [];
  ws.on('message', (data: Buffer) => {
    const message = decodeWireMessage(new Uint8Array(data)) as WireMessage;
    if (message.t === 'res') pending.get(message.id)?.(message.envelope);
    if (message.t === 'evt' && message.channel === 'jobs:event') events.push(message.payload as JobEvent);
  });
  const call = <T>(channel: string, request: unknown): Promise<Envelope<T>> => {
    const id = nextId++;
    ws.send(encodeWireMessage({ t: 'req', id, channel, request }));
    return new Promise((resolve) => pending.set(id, resolve as (envelope: Envelope<unknown>) => void));
  };
  const until = async (jobId: string, types: string[]): Promise<JobEvent> => {
    for (;;) {
      const found = events.find((e) => e.jobId === jobId && types.includes(e.type));
      if (found) return found;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  };
  return { ws, call, events, until };
}

describe('sweeps in serve mode', () => {
  it('runs a grid through the API: events, results with recipes, tiles; bad axes and cancel', async () => {
    const api = await connect();
    const path = join(import.meta.dirname, '..', '..', 'fixtures', 'images', 'chelsea.png');
    const opened = await api.call<{ id: string }>('images:open', { path });
    if (!opened.ok) throw new Error(opened.error.message);
    const data = new Uint8Array(451 * 300);
    for (let y = 100; y < 200; y++) data.fill(255, y * 451 + 150, y * 451 + 300);
    const base = { imageId: opened.value.id, roi: { mask: { width: 451, height: 300, data } } };
    const params = { prompt: 'a red cat', steps: 2, size: 256, provider: 'cpu' };

    const bad = await api.call('sweep:start', { ...base, params, axes: [{ key: 'noise', values: [0.1, 3] }] });
    expect(bad).toMatchObject({ ok: false, error: { code: 'invalid_argument' } });
    if (!bad.ok) expect(bad.error.message).toContain('noise must be a number from 0 to 1, got 3');

    const axes = [
      { key: 'noise', values: [0.1, 0.5] },
      { key: 'seed', values: [1, 2] },
    ];
    const started = await api.call<{ jobId: string }>('sweep:start', { ...base, params, axes });
    if (!started.ok) throw new Error(started.error.message);
    const end = await api.until(started.value.jobId, ['completed', 'failed', 'cancelled']);
    if (end.type !== 'completed' || end.result.kind !== 'sweep') throw new Error(`sweep ended ${end.type}`);
    const steps = api.events.filter((e) => e.jobId === started.value.jobId && e.type === 'step');
    expect(steps.at(-1)).toMatchObject({ i: 8, n: 8 });
    expect(end.result.cells.map((c) => [c.params, c.seed])).toEqual([
      [{ noise: 0.1, seed: 1 }, 1],
      [{ noise: 0.1, seed: 2 }, 2],
      [{ noise: 0.5, seed: 1 }, 1],
      [{ noise: 0.5, seed: 2 }, 2],
    ]);
    const cell = end.result.cells[3]!;
    const encoded = await api.call<{ bytes: Uint8Array }>('images:encode', { id: cell.resultId, format: 'png' });
    if (!encoded.ok) throw new Error(encoded.error.message);
    const recipe = await readRecipe(encoded.value.bytes);
    expect(recipe.seed).toBe(2);
    expect(recipe.params.noise).toBe(0.5);
    const tile = await fetch(`http://${host}/image/${cell.tileId}?token=${token}`);
    expect(tile.status).toBe(200);
    const { width, height } = await sharp(new Uint8Array(await tile.arrayBuffer())).metadata();
    expect(Math.max(width, height)).toBeLessThanOrEqual(256);

    const long = await api.call<{ jobId: string }>('sweep:start', {
      ...base,
      params: { ...params, steps: 100 },
      axes: [{ key: 'seed', values: [1, 2, 3] }],
    });
    if (!long.ok) throw new Error(long.error.message);
    await api.until(long.value.jobId, ['step']);
    expect(await api.call('jobs:cancel', { jobId: long.value.jobId })).toEqual({
      ok: true,
      value: { wasActive: true },
    });
    expect((await api.until(long.value.jobId, ['completed', 'failed', 'cancelled'])).type).toBe('cancelled');
    api.ws.close();
  });
});
