import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { BatchEvent, JobEvent } from '../../../shared/api';
import { startServe } from '../../../main/server/run';
import { createClient } from '../../../renderer/src/api/client';
import { webSocketTransport } from '../../../renderer/src/api/transport';
import { ensureFixtures } from '../../fixtures/models/all';
import { runIirProcess } from '../../helpers/cli';
import { redisServerPath, startRedis, type TestRedis } from '../../helpers/redis';
import { cacheDir } from '../../setup/global';
import { fixtureParams, square, startTestWorker, until, writePhotos } from './helpers';

const work = join(cacheDir, 'queue-coordinator');
const password = `pw-${process.pid}`;
let redis: TestRedis;
let worker: Awaited<ReturnType<typeof startTestWorker>>;
let serve: Awaited<ReturnType<typeof startServe>>;
let client: ReturnType<typeof createClient>;
let photos: string[];

/** Records job events from now; the answer waits for one job's end and gives its events. */
function recordJobs(): (jobId: string) => Promise<JobEvent[]> {
  const events: JobEvent[] = [];
  const off = client.on('jobs:event', (event) => events.push(event));
  return async (jobId) => {
    const ends = (e: JobEvent): boolean => e.jobId === jobId && ['completed', 'failed', 'cancelled'].includes(e.type);
    await until(() => events.some(ends));
    off();
    return events.filter((e) => e.jobId === jobId);
  };
}

/** Pixels changed inside photo `i`'s square, and beyond 10 px around it, between its original and `png`. */
async function changes(i: number, png: ArrayBuffer): Promise<{ inside: number; outside: number }> {
  const a = await sharp(photos[i]).raw().toBuffer({ resolveWithObject: true });
  const b = await sharp(Buffer.from(png)).removeAlpha().raw().toBuffer();
  const rect = square(i);
  let inside = 0;
  let outside = 0;
  for (let p = 0; p < a.info.width * a.info.height; p++) {
    if ([0, 1, 2].every((c) => a.data[p * 3 + c] === b[p * 3 + c])) continue;
    const [x, y] = [p % a.info.width, Math.floor(p / a.info.width)];
    if (x >= rect.x0 && x < rect.x1 && y >= rect.y0 && y < rect.y1) inside++;
    else if (x < rect.x0 - 10 || x >= rect.x1 + 10 || y < rect.y0 - 10 || y >= rect.y1 + 10) outside++;
  }
  return { inside, outside };
}

describe.skipIf(!redisServerPath)('serve mode as the coordinator of remote workers', { timeout: 300_000 }, () => {
  beforeAll(async () => {
    const models = ensureFixtures();
    rmSync(work, { recursive: true, force: true });
    photos = await writePhotos(join(work, 'photos'), 3);
    const rendererDir = join(work, 'renderer');
    mkdirSync(rendererDir, { recursive: true });
    writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>IIR Studio</title>');
    mkdirSync(join(work, 'no-models'), { recursive: true });
    redis = await startRedis({ password });
    worker = await startTestWorker(redis.url, models, work);
    serve = await startServe({
      host: '127.0.0.1',
      port: 0,
      open: false,
      rendererDir,
      // The coordinator has no models of its own: every edit must run on the worker.
      env: { ...process.env, IIR_USER_DATA: join(work, 'user-data'), IIR_MODELS_DIR: join(work, 'no-models') },
      queue: redis.url,
      log: () => undefined,
      printUrl: () => undefined,
    });
    const host = `127.0.0.1:${serve.server.port}`;
    class BrowserLikeWebSocket extends WebSocket {
      constructor(url: string) {
        super(url, { origin: `http://${host}` });
      }
    }
    (globalThis as { WebSocket?: unknown }).WebSocket = BrowserLikeWebSocket;
    client = createClient(webSocketTransport({ protocol: 'http:', host, search: `?token=${serve.server.token}` }));
  });

  afterAll(async () => {
    delete (globalThis as { WebSocket?: unknown }).WebSocket;
    await serve?.stop();
    await worker?.stop();
    await redis?.stop();
  });

  it('lists the live workers, naming the queue without its password, and keeps the token rules', async () => {
    const state = await client.remote.workers({});
    expect(state.queue).toBe(`redis://127.0.0.1:${redis.port}/0`);
    expect(state.workers.map((w) => w.id)).toEqual([worker.worker.id]);
    expect(JSON.stringify(state)).not.toContain(password);
    expect((await fetch(`http://127.0.0.1:${serve.server.port}/`)).status).toBeGreaterThanOrEqual(400);
  });

  it('finds and edits on the worker for a browser: previews, the worker named, outside-exact', async () => {
    const image = await client.images.open({ bytes: readFileSync(photos[0]!), name: 'photo-0.png' });
    const segEnd = recordJobs();
    const segId = (await client.segment.start({ imageId: image.id, text: 'red' })).jobId;
    const found = (await segEnd(segId)).at(-1)!;
    expect(found.type).toBe('completed');
    if (found.type !== 'completed' || found.result.kind !== 'segment') throw new Error('no region');
    expect(found.result.instances.length).toBeGreaterThan(0);

    const editEnd = recordJobs();
    const params = fixtureParams(4);
    const editId = (await client.edit.start({ imageId: image.id, roi: { maskId: found.result.maskId }, params })).jobId;
    const events = await editEnd(editId);
    const done = events.at(-1)!;
    if (done.type !== 'completed' || done.result.kind !== 'edit') throw new Error(JSON.stringify(done));
    expect(done.result.worker).toBe(worker.worker.id);
    expect(events.some((e) => e.type === 'step' && e.previewId !== undefined)).toBe(true);
    const png = (await client.images.encode({ id: done.result.resultIds[0]!, format: 'png' })).bytes;
    const { inside, outside } = await changes(0, png.buffer as ArrayBuffer);
    expect(outside).toBe(0);
    expect(inside).toBeGreaterThan(1000);
  });

  it('cancels a remote edit from the browser', async () => {
    const image = await client.images.open({ bytes: readFileSync(photos[1]!), name: 'photo-1.png' });
    const mask = new Uint8Array(image.width * image.height).fill(255, 0, image.width * 40);
    const end = recordJobs();
    const roi = { mask: { width: image.width, height: image.height, data: mask } };
    const editId = (await client.edit.start({ imageId: image.id, roi, params: fixtureParams(150) })).jobId;
    await until(async () => (await client.remote.workers({})).workers.some((w) => w.current !== null));
    await client.jobs.cancel({ jobId: editId });
    expect((await end(editId)).at(-1)!.type).toBe('cancelled');
    await until(async () => (await client.remote.workers({})).workers.every((w) => w.current === null), 30_000);
  });

  it('runs a Batch sheet batch on the worker, paused and resumed, with each photo’s worker', async () => {
    const events: BatchEvent[] = [];
    // Each photo is handed over when main asks for it (its item turns `opening`).
    client.on('batch:event', (event) => {
      events.push(event);
      if (event.type !== 'item' || event.state !== 'opening') return;
      const image = { bytes: readFileSync(photos[event.index]!), name: `photo-${event.index}.png` };
      void client.batch.supply({ batchId: event.batchId, index: event.index, image });
    });
    const { batchId } = await client.batch.start({ count: photos.length, region: 'red', params: fixtureParams(2) });
    expect(await client.batch.pause({ batchId })).toEqual({ state: 'paused' });
    expect(await client.batch.resume({ batchId })).toEqual({ state: 'running' });
    await until(() => events.some((e) => e.type === 'batch' && e.batchId === batchId && e.state === 'done'), 120_000);
    const last = new Map<number, BatchEvent>();
    for (const e of events) if (e.type === 'item' && e.batchId === batchId) last.set(e.index, e);
    expect([...last.values()].map((e) => e.type === 'item' && [e.state, e.worker])).toEqual(
      Array(3).fill(['edited', worker.worker.id]),
    );
    for (const index of last.keys()) {
      const { resultId } = await client.batch.open({ batchId, index });
      if (resultId === null) throw new Error('no result');
      const png = (await client.images.encode({ id: resultId, format: 'png' })).bytes;
      expect((await changes(index, png.buffer as ArrayBuffer)).outside).toBe(0);
    }
  });

  it('refuses a wrong password in one line, before serving anything', async () => {
    const wrong = redis.url.replace(password, 'not-the-password');
    const run = await runIirProcess(['serve', '--queue', wrong, '--user-data', join(work, 'user-data-2')]);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr.trim()).toBe(
      `iir: the queue at redis://127.0.0.1:${redis.port}/0 refused the user name or password`,
    );
  });
});
