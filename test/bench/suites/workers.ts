import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import sharp from 'sharp';
import { listBatchInputs } from '../../../main/batch/inputs';
import { median } from '../suite';
import { followBatch, submitBatch } from '../../../main/queue/client';
import { parseQueueUrl, type QueueAddress } from '../../../main/queue/connection';
import { readHeartbeats } from '../../../main/queue/heartbeat';
import { queueNameFor } from '../../../main/queue/jobs';
import { RemoteQueue } from '../../../main/queue/remote';
import { ensureFixtures } from '../../fixtures/models/all';
import { startRedis } from '../../helpers/redis';
import type { BenchSuite } from '../suite';
import {
  type BatchFigures,
  measureBatch,
  params,
  photos,
  request,
  root,
  startWorker,
  stopWorker,
  writePhotos,
} from './workersRun';

/** Milliseconds from enqueue to the start of processing on an idle, warm worker (median of 5 single-photo jobs). */
async function queueOverhead(address: QueueAddress): Promise<number> {
  const inputs = await listBatchInputs([photos]);
  const queue = new Queue(queueNameFor('sd15', 'controlnet-canny'), { connection: address.options });
  const samples: number[] = [];
  try {
    for (let i = 0; i < 5; i++) {
      const out = join(root, `overhead-${i}`);
      rmSync(out, { recursive: true, force: true });
      const manifest = await submitBatch(address, request(out, [inputs[i]!]));
      await followBatch(address, manifest, { signal: new AbortController().signal, seed: 0, sweepMs: 200 });
      const job = await queue.getJob(manifest.jobs[0]!.id);
      if (job?.processedOn !== undefined) samples.push(job.processedOn - job.timestamp);
    }
  } finally {
    await queue.close();
  }
  return median(samples);
}

/**
 * An editor's edit on an idle, warm worker: milliseconds from the client's call to its answer beyond the worker's own
 * time (inline bytes up and back, the queue, events), median of 5 (a 451×300 photo, 2 steps).
 */
async function interactiveOverhead(url: string): Promise<{ overheadMs: number; roundTripMs: number }> {
  const [input] = await listBatchInputs([photos]);
  const bytes = readFileSync(input!);
  const { width, height } = await sharp(bytes).metadata();
  const mask = { width, height, data: new Uint8Array(width * height).fill(255, 0, width * 40) };
  const remote = await RemoteQueue.connect(url);
  const overhead: number[] = [];
  const total: number[] = [];
  try {
    for (let i = 0; i < 5; i++) {
      const started = performance.now();
      const outcome = await remote.edit(
        { kind: 'edit', name: 'bench.png', bytes, mask, params: { ...params, steps: 2, seed: i } },
        { signal: new AbortController().signal },
      );
      const ms = performance.now() - started;
      total.push(ms);
      overhead.push(ms - outcome.workerMs);
    }
  } finally {
    await remote.close();
  }
  return { overheadMs: Math.round(median(overhead)), roundTripMs: Math.round(median(total)) };
}

/** The thread budgets the live workers report in their heartbeats (what `iir workers` and the app show). */
async function budgets(address: QueueAddress): Promise<(number | null)[]> {
  const redis = new Redis(address.options);
  try {
    return (await readHeartbeats(redis)).map((w) => w.threads);
  } finally {
    redis.disconnect();
  }
}

/** A case: `threads` per worker, a warm-up batch (models load), then the best of `rounds` measured batches. */
async function runCase(
  context: { log(message: string): void },
  address: QueueAddress,
  name: string,
  workers: readonly ChildProcessWithoutNullStreams[],
  threads: number,
): Promise<BatchFigures & { threadsPerWorker: (number | null)[]; rounds: number[] }> {
  context.log(`${name}: warm-up`);
  const pids = workers.map((w) => w.pid!);
  await measureBatch(address, `${name}-warm`, pids);
  const runs: BatchFigures[] = [];
  for (let round = 0; round < rounds; round++) {
    runs.push(await measureBatch(address, `${name}-${round}`, pids));
    context.log(`${name}: ${runs.at(-1)!.imagesPerMinute} images/min (load ${runs.at(-1)!.load.join(' → ')})`);
  }
  const best = runs.reduce((a, b) => (b.imagesPerMinute > a.imagesPerMinute ? b : a));
  const reported = await budgets(address);
  if (reported.length !== workers.length || reported.some((t) => t !== threads)) {
    throw new Error(`the heartbeats report ${JSON.stringify(reported)} threads, not ${threads} for ${workers.length}`);
  }
  return { ...best, threadsPerWorker: reported, rounds: runs.map((r) => r.imagesPerMinute) };
}

/** Measured batches per case (the best counts: other work on the machine only ever slows a run down). */
const rounds = 2;
const photoCount = 12;

/**
 * BullMQ workers on fixture models: queue overhead per job, an editor job's round trip, and throughput with one
 * worker on every core, one worker on its share, and two workers each on their share (`--threads`), which is the
 * honest comparison for scaling: the same per-worker budget.
 */
export const workersSuite: BenchSuite = {
  name: 'workers',
  summary:
    'Redis + BullMQ workers: enqueue→start overhead per job, an editor job’s round trip, images/min with 1 and 2 workers, scaling',
  async run(context) {
    const models = ensureFixtures();
    await writePhotos(photoCount);
    const redis = await startRedis();
    const address = parseQueueUrl(redis.url);
    const cores = availableParallelism();
    const share = Math.max(1, Math.floor(cores / 2));
    const live: ChildProcessWithoutNullStreams[] = [];
    try {
      live.push(await startWorker(redis.url, models, cores));
      const allCores = await runCase(context, address, 'one worker, every core', live, cores);
      const overheadMs = await queueOverhead(address);
      const interactive = await interactiveOverhead(redis.url);
      await stopWorker(live.pop()!, 'SIGTERM');
      live.push(await startWorker(redis.url, models, share));
      const one = await runCase(context, address, 'one worker, its share', live, share);
      live.push(await startWorker(redis.url, models, share));
      const two = await runCase(context, address, 'two workers, a share each', live, share);
      return {
        cores,
        photos: photoCount,
        overheadMsPerJob: overheadMs,
        interactive,
        imagesPerMinute: {
          workers1AllCores: allCores.imagesPerMinute,
          workers1: one.imagesPerMinute,
          workers2: two.imagesPerMinute,
        },
        scalingEfficiency: Math.round((two.imagesPerMinute / (2 * one.imagesPerMinute)) * 100) / 100,
        speedupOverAllCores: Math.round((two.imagesPerMinute / allCores.imagesPerMinute) * 100) / 100,
        cases: { workers1AllCores: allCores, workers1: one, workers2: two },
      };
    } finally {
      for (const worker of live) await stopWorker(worker, 'SIGKILL');
      await redis.stop();
    }
  },
};
