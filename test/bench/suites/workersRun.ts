/**
 * The workers bench's pieces: photos, worker processes with a thread budget, and one measured batch with where its
 * time went (in the jobs, or between them), so a lost overlap shows up as contention or as waiting.
 */
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import sharp from 'sharp';
import { editParamsSchema } from '../../../shared/api';
import { listBatchInputs } from '../../../main/batch/inputs';
import { readReport } from '../../../main/batch/report';
import { followBatch, submitBatch } from '../../../main/queue/client';
import type { QueueAddress } from '../../../main/queue/connection';
import { startIir } from '../../helpers/cli';
import { cacheDir } from '../../setup/global';
import { processStats } from './procStats';

export const root = join(cacheDir, 'bench-workers');
export const photos = join(root, 'photos');
const chelsea = join(import.meta.dirname, '..', '..', 'fixtures', 'images', 'chelsea.png');

export const params = editParamsSchema.parse({
  prompt: 'a blue box',
  steps: 10,
  sd: 'sd15',
  controlnet: 'controlnet-canny',
  provider: 'cpu',
});

export const request = (outDir: string, inputs: string[]) => ({
  inputs,
  outDir,
  region: 'red',
  boxThreshold: 0.35,
  textThreshold: 0.25,
  params: { ...params, sd: params.sd!, controlnet: params.controlnet! },
});

export async function writePhotos(count: number): Promise<void> {
  rmSync(photos, { recursive: true, force: true });
  mkdirSync(photos, { recursive: true });
  const square = await sharp({ create: { width: 80, height: 70, channels: 3, background: { r: 255, g: 0, b: 0 } } })
    .png()
    .toBuffer();
  for (let i = 0; i < count; i++) {
    await sharp(chelsea)
      .composite([{ input: square, left: 20 + 25 * (i % 12), top: 30 + 15 * (i % 4) }])
      .png()
      .toFile(join(photos, `p-${String(i).padStart(2, '0')}.png`));
  }
}

/** `iir worker` as a user starts it, with `--threads`; resolves once it listens. */
export async function startWorker(
  url: string,
  models: string,
  threads: number,
): Promise<ChildProcessWithoutNullStreams> {
  const roots = ['--inputs', root, '--outputs', root];
  const child = startIir([
    'worker',
    '--queue',
    url,
    '--models',
    models,
    ...roots,
    '--provider',
    'cpu',
    '--threads',
    `${threads}`,
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

/**
 * Stops a worker process and waits until it is gone (its cores free again). SIGTERM lets it close cleanly, its
 * heartbeat removed; a worker still there after 10 s is killed.
 */
export async function stopWorker(child: ChildProcessWithoutNullStreams, signal: 'SIGTERM' | 'SIGKILL'): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill(signal);
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await gone;
  clearTimeout(timer);
}

/** One measured batch: its throughput and where the time went. */
export interface BatchFigures {
  readonly imagesPerMinute: number;
  readonly wallMs: number;
  /** Time inside jobs over workers × wall time: 1 when no worker ever waited for a job. */
  readonly busy: number;
  /** Mean per photo, inside the worker: read+decode, find, edit (engine), encode+write, and the whole job. */
  readonly meanMs: { read: number; segment: number; edit: number; write: number; total: number };
  /**
   * CPU milliseconds per photo: the engine processes, the worker processes around them (queue, decode, encode),
   * and this process (the client following the batch). With cores to spare, this stays put as workers are added.
   */
  readonly cpuMsPerPhoto: { engine: number; worker: number; client: number };
  /**
   * Milliseconds per photo the engines' threads were ready to run but waited for a core (/proc schedstat): the
   * cores are short. What is left of a job's time after its CPU and this wait is time spent waiting on something
   * else (the worker, Redis, a lock, the disk).
   */
  readonly engineWaitForCoreMsPerPhoto: number;
  /** Milliseconds per photo inside jobs, over all workers (wall time of each job, summed). */
  readonly inJobMsPerPhoto: number;
  /** The 1-minute load average before and after (other work on the machine skews the figure). */
  readonly load: readonly [number, number];
}

const mean = (values: readonly number[]): number =>
  Math.round(values.reduce((a, b) => a + b, 0) / Math.max(1, values.length));

/** Runs every photo (or the first `count`) through the queue, the workers `pids` listening, and measures it. */
export async function measureBatch(
  address: QueueAddress,
  name: string,
  pids: readonly number[],
  count?: number,
): Promise<BatchFigures> {
  const inputs = (await listBatchInputs([photos])).slice(0, count);
  const out = join(root, name);
  rmSync(out, { recursive: true, force: true });
  const before = loadavg()[0]!;
  const statsBefore = processStats(pids);
  const clientBefore = process.cpuUsage();
  const manifest = await submitBatch(address, request(out, inputs));
  const summary = await followBatch(address, manifest, { signal: new AbortController().signal, seed: 0, sweepMs: 500 });
  const after = loadavg()[0]!;
  const stats = processStats(pids, statsBefore);
  const client = process.cpuUsage(clientBefore);
  const perPhoto = (ms: number): number => Math.round(ms / inputs.length);
  const cpuMsPerPhoto = {
    engine: perPhoto(stats.engine.cpuMs),
    worker: perPhoto(stats.worker.cpuMs),
    client: perPhoto((client.user + client.system) / 1000),
  };
  const queue = new Queue(manifest.queue, { connection: address.options });
  let inJobs = 0;
  try {
    for (const { id } of manifest.jobs) {
      const job = await queue.getJob(id);
      if (job?.processedOn !== undefined && job.finishedOn !== undefined) inJobs += job.finishedOn - job.processedOn;
    }
  } finally {
    await queue.close();
  }
  const lines = [...(await readReport(join(out, 'report.jsonl'))).values()];
  const of = (key: keyof BatchFigures['meanMs']): number => mean(lines.map((line) => line.timingsMs[key]));
  return {
    imagesPerMinute: summary.imagesPerMinute,
    wallMs: summary.wallMs,
    busy: Math.round((inJobs / (pids.length * summary.wallMs)) * 100) / 100,
    meanMs: { read: of('read'), segment: of('segment'), edit: of('edit'), write: of('write'), total: of('total') },
    cpuMsPerPhoto,
    engineWaitForCoreMsPerPhoto: perPhoto(stats.engine.waitForCoreMs),
    inJobMsPerPhoto: perPhoto(inJobs),
    load: [Math.round(before * 100) / 100, Math.round(after * 100) / 100],
  };
}
