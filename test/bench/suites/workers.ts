import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import sharp from 'sharp';
import { editParamsSchema } from '../../../shared/api';
import { listBatchInputs } from '../../../main/batch/inputs';
import { median } from '../suite';
import { followBatch, submitBatch } from '../../../main/queue/client';
import { parseQueueUrl, type QueueAddress } from '../../../main/queue/connection';
import { queueNameFor } from '../../../main/queue/jobs';
import { RemoteQueue } from '../../../main/queue/remote';
import { ensureFixtures } from '../../fixtures/models/all';
import { startIir } from '../../helpers/cli';
import { startRedis } from '../../helpers/redis';
import { cacheDir } from '../../setup/global';
import type { BenchSuite } from '../suite';

const root = join(cacheDir, 'bench-workers');
const photos = join(root, 'photos');
const chelsea = join(import.meta.dirname, '..', '..', 'fixtures', 'images', 'chelsea.png');
const params = editParamsSchema.parse({
  prompt: 'a blue box',
  steps: 10,
  sd: 'sd15',
  controlnet: 'controlnet-canny',
  provider: 'cpu',
});
const request = (outDir: string, inputs: string[]) => ({
  inputs,
  outDir,
  region: 'red',
  boxThreshold: 0.35,
  textThreshold: 0.25,
  params: { ...params, sd: params.sd!, controlnet: params.controlnet! },
});

async function writePhotos(count: number): Promise<void> {
  rmSync(photos, { recursive: true, force: true });
  mkdirSync(photos, { recursive: true });
  const square = await sharp({ create: { width: 80, height: 70, channels: 3, background: { r: 255, g: 0, b: 0 } } })
    .png()
    .toBuffer();
  for (let i = 0; i < count; i++) {
    await sharp(chelsea)
      .composite([{ input: square, left: 20 + 25 * i, top: 30 + 15 * (i % 4) }])
      .png()
      .toFile(join(photos, `p-${String(i).padStart(2, '0')}.png`));
  }
}

async function startWorker(url: string, models: string): Promise<ChildProcessWithoutNullStreams> {
  const child = startIir([
    'worker',
    '--queue',
    url,
    '--models',
    models,
    '--inputs',
    root,
    '--outputs',
    root,
    '--provider',
    'cpu',
  ]);
  await new Promise<void>((resolve, reject) => {
    let err = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      err += chunk;
      if (err.includes(': iir-edit.')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`worker exited ${code}: ${err}`)));
  });
  return child;
}

/** Images per minute over all photos, with a warm worker set (a first batch loads the models). */
async function throughput(address: QueueAddress, name: string): Promise<number> {
  const inputs = await listBatchInputs([photos]);
  const out = join(root, name);
  rmSync(out, { recursive: true, force: true });
  const manifest = await submitBatch(address, request(out, inputs));
  const summary = await followBatch(address, manifest, { signal: new AbortController().signal, seed: 0, sweepMs: 500 });
  return summary.imagesPerMinute;
}

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

/** BullMQ workers on fixture models: queue overhead per job and throughput with one and two worker processes. */
export const workersSuite: BenchSuite = {
  name: 'workers',
  summary:
    'Redis + BullMQ workers: enqueue→start overhead per job, an editor job’s round trip, images/min with 1 and 2 workers, scaling',
  async run(context) {
    const models = ensureFixtures();
    await writePhotos(8);
    const redis = await startRedis();
    const address = parseQueueUrl(redis.url);
    const workers: ChildProcessWithoutNullStreams[] = [];
    try {
      workers.push(await startWorker(redis.url, models));
      context.log('warm-up (one worker)');
      await throughput(address, 'warm-1');
      const overheadMs = await queueOverhead(address);
      const interactive = await interactiveOverhead(redis.url);
      context.log('one worker');
      const one = await throughput(address, 'one');
      workers.push(await startWorker(redis.url, models));
      context.log('warm-up (two workers)');
      await throughput(address, 'warm-2');
      context.log('two workers');
      const two = await throughput(address, 'two');
      return {
        overheadMsPerJob: overheadMs,
        interactive,
        imagesPerMinute: { workers1: one, workers2: two },
        scalingEfficiency: Math.round((two / (2 * one)) * 100) / 100,
      };
    } finally {
      for (const worker of workers) worker.kill('SIGKILL');
      await redis.stop();
    }
  },
};
