import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeImage } from '../../../main/image/decode';
import { readReport } from '../../../main/batch/report';
import type { WorkerHeartbeat } from '../../../main/queue/heartbeat';
import { followBatch, submitBatch, type QueueBatchRequest } from '../../../main/queue/client';
import { parseQueueUrl } from '../../../main/queue/connection';
import { inlineKey, inlineTtlSeconds, type RemoteProgress } from '../../../main/queue/interactiveJobs';
import { pauseBatch, resumeBatch } from '../../../main/queue/batchControl';
import { RemoteQueue } from '../../../main/queue/remote';
import { ensureFixtures } from '../../fixtures/models/all';
import { redisServerPath, startRedis, type TestRedis } from '../../helpers/redis';
import { runIirProcess } from '../../helpers/cli';
import { cacheDir } from '../../setup/global';
import { fixtureParams, square, squareMask, startTestWorker, until, writePhotos } from './helpers';
import { createHash } from 'node:crypto';

const work = join(cacheDir, 'queue-interactive');
const password = `pw-${process.pid}`;
let redis: TestRedis;
let remote: RemoteQueue;
let worker: Awaited<ReturnType<typeof startTestWorker>>;
let photos: string[];
let client: Redis;
const never = new AbortController().signal;

const editOf = async (i: number, steps: number) => ({
  kind: 'edit' as const,
  name: `photo-${i}.png`,
  bytes: readFileSync(photos[i]!),
  mask: await squareMask(photos[i]!, i),
  params: fixtureParams(steps),
});

const isBusy = async (): Promise<boolean> => (await remote.workers()).some((w) => w.current !== null);

describe.skipIf(!redisServerPath)('the editor’s jobs on a worker through Redis + BullMQ', { timeout: 300_000 }, () => {
  beforeAll(async () => {
    const models = ensureFixtures();
    rmSync(work, { recursive: true, force: true });
    photos = await writePhotos(join(work, 'photos'), 4);
    redis = await startRedis({ password });
    client = new Redis(parseQueueUrl(redis.url).options);
    worker = await startTestWorker(redis.url, models, work);
    remote = await RemoteQueue.connect(redis.url);
  });

  afterAll(async () => {
    await remote?.close();
    await worker?.stop();
    client?.disconnect();
    await redis?.stop();
  });

  it('finds a region from text on a worker, from the photo’s bytes', async () => {
    const bytes = readFileSync(photos[0]!);
    const outcome = await remote.segment(
      { kind: 'segment', name: 'photo-0.png', bytes, text: 'red', points: [], boxThreshold: 0.35, textThreshold: 0.25 },
      { signal: never },
    );
    expect(outcome.worker).toBe(worker.worker.id);
    const { mask, instances } = outcome.value;
    const { width, height } = await sharp(photos[0]).metadata();
    expect([mask.width, mask.height]).toEqual([width, height]);
    expect(instances.length).toBeGreaterThan(0);
    const rect = square(0);
    expect(mask.data[((rect.y0 + rect.y1) >> 1) * width + ((rect.x0 + rect.x1) >> 1)]).toBe(255);
    expect(mask.data[5 * width + 5]).toBe(0);
  });

  it('edits inline bytes on a worker: outside-exact, with steps, previews and a TTL on the bytes', async () => {
    const request = await editOf(1, 4);
    const progress: RemoteProgress[] = [];
    const outcome = await remote.edit(request, { signal: never, onProgress: (p) => progress.push(p) });
    expect(outcome.worker).toBe(worker.worker.id);
    const original = await decodeImage(photos[1]!);
    const result = outcome.value.results[0]!.rgb;
    expect([result.width, result.height]).toEqual([original.width, original.height]);
    const rect = square(1);
    let inside = 0;
    let outside = 0;
    for (let p = 0; p < result.width * result.height; p++) {
      const x = p % result.width;
      const y = Math.floor(p / result.width);
      const same = [0, 1, 2].every((c) => result.data[p * 3 + c] === original.rgb.data[p * 3 + c]);
      if (same) continue;
      if (x >= rect.x0 && x < rect.x1 && y >= rect.y0 && y < rect.y1) inside++;
      else if (x < rect.x0 - 10 || x >= rect.x1 + 10 || y < rect.y0 - 10 || y >= rect.y1 + 10) outside++;
    }
    expect(outside).toBe(0);
    expect(inside).toBeGreaterThan(1000);
    const steps = progress.filter((p) => p.type === 'step');
    expect(steps.length).toBeGreaterThan(1);
    expect(steps.at(-1)!.i).toBe((steps.at(-1) as { n: number }).n);
    const preview = steps.find((p) => p.preview !== undefined)?.preview;
    expect(preview).toBeDefined();
    const thumb = await sharp(Buffer.from(preview!, 'base64')).metadata();
    expect(thumb.format).toBe('jpeg');
    expect(Math.max(thumb.width, thumb.height)).toBeLessThanOrEqual(256);
    const sha = createHash('sha256').update(request.bytes).digest('hex');
    const ttl = await client.ttl(inlineKey(sha));
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(inlineTtlSeconds);
  });

  it('refuses a photo over 32 MiB in one line, before sending anything', async () => {
    const request = { ...(await editOf(0, 2)), bytes: new Uint8Array(33 * 1024 * 1024) };
    await expect(remote.edit(request, { signal: never })).rejects.toThrow(
      'photo-0.png is 33 MiB; remote workers take at most 32 MiB per photo (edit it on this machine)',
    );
  });

  it('cancels a running edit on the worker', async () => {
    const controller = new AbortController();
    let hasStarted = false;
    const running = remote.edit(await editOf(2, 150), {
      signal: controller.signal,
      onProgress: (p) => (hasStarted ||= p.type === 'step'),
    });
    await until(() => hasStarted);
    const stoppedAt = performance.now();
    controller.abort();
    await expect(running).rejects.toMatchObject({ code: 'cancelled' });
    await until(async () => !(await isBusy()), 30_000);
    expect(performance.now() - stoppedAt).toBeLessThan(30_000);
  });

  it('runs the editor’s job before batch photos already waiting (BullMQ priority)', async () => {
    const address = parseQueueUrl(redis.url);
    const busy = remote.edit(await editOf(3, 30), { signal: never });
    await until(isBusy);
    const manifest = await submitBatch(address, {
      inputs: photos.slice(0, 2),
      outDir: join(work, 'out-priority'),
      region: 'red',
      boxThreshold: 0.35,
      textThreshold: 0.25,
      params: fixtureParams(2) as QueueBatchRequest['params'],
    });
    let urgentStartedAt = Infinity;
    const urgent = remote.edit(await editOf(0, 2), {
      signal: never,
      onProgress: () => (urgentStartedAt = Math.min(urgentStartedAt, Date.now())),
    });
    await Promise.all([busy, urgent]);
    const summary = await followBatch(address, manifest, { signal: never, seed: 5 });
    expect(summary.edited).toBe(2);
    const queue = new Queue(manifest.queue, { connection: address.options });
    try {
      for (const { id } of manifest.jobs)
        expect((await queue.getJob(id))!.processedOn).toBeGreaterThan(urgentStartedAt);
    } finally {
      await queue.close();
    }
  });

  it('pauses a batch (waiting photos held, photos in hand finish) and resumes it', async () => {
    const address = parseQueueUrl(redis.url);
    const out = join(work, 'out-pause');
    const manifest = await submitBatch(address, {
      inputs: photos,
      outDir: out,
      region: 'red',
      boxThreshold: 0.35,
      textThreshold: 0.25,
      params: fixtureParams(3) as QueueBatchRequest['params'],
    });
    const following = followBatch(address, manifest, { signal: never, seed: 5, sweepMs: 200 });
    await until(isBusy);
    const held = await pauseBatch(address, manifest);
    expect(held).toBeGreaterThanOrEqual(2);
    await until(async () => !(await isBusy()), 60_000);
    // Several sweeps of the follower pass while paused: the held photos are neither started nor reported gone.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(await isBusy()).toBe(false);
    const queue = new Queue(manifest.queue, { connection: address.options });
    try {
      expect(await queue.getJobCounts('waiting', 'prioritized', 'active')).toEqual({
        waiting: 0,
        prioritized: 0,
        active: 0,
      });
    } finally {
      await queue.close();
    }
    expect(readdirSync(out).filter((n) => n.endsWith('.png'))).toHaveLength(4 - held);
    expect(await resumeBatch(address, manifest)).toBe(held);
    const summary = await following;
    expect(summary).toMatchObject({ total: 4, edited: 4, failed: 0 });
    expect((await readReport(join(out, 'report.jsonl'))).size).toBe(4);
  });

  it('lists the live workers (iir workers, --json and text) without printing the password', async () => {
    const json = await runIirProcess(['workers', '--queue', redis.url, '--json']);
    expect(json.stderr).toBe('');
    expect(json.code).toBe(0);
    const listed = JSON.parse(json.stdout) as { queue: string; workers: WorkerHeartbeat[] };
    expect(listed.queue).toBe(`redis://127.0.0.1:${redis.port}/0`);
    expect(listed.workers).toHaveLength(1);
    const [w] = listed.workers;
    expect(w).toMatchObject({ id: worker.worker.id, provider: 'cpu', current: null, pid: process.pid, threads: 1 });
    expect(w!.models).toEqual(expect.arrayContaining(['sd15', 'controlnet-canny']));
    expect(w!.device.name.length).toBeGreaterThan(0);
    expect(w!.done).toBeGreaterThanOrEqual(8);
    expect(w!.perMinute).toBeGreaterThan(0);
    expect(w!.msPerJob).toBeGreaterThan(0);
    const text = await runIirProcess(['workers', '--queue', redis.url]);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain(`${worker.worker.id} (`);
    expect(text.stdout).toMatch(/device: .+, provider cpu, 1 thread, 1 at a time/);
    expect(text.stdout).toMatch(/idle; \d+ done, \d+ failed; [\d.]+ jobs\/min/);
    expect(json.stdout + text.stdout).not.toContain(password);
  });
});
