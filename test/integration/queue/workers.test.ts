import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { editParamsSchema } from '../../../shared/api';
import { readReport } from '../../../main/batch/report';
import { parseQueueUrl } from '../../../main/queue/connection';
import { type BatchItemJob, queueNameFor } from '../../../main/queue/jobs';
import { ensureFixtures } from '../../fixtures/models/all';
import { changesAround } from '../../helpers/changes';
import { finished, runIirProcess, startIir } from '../../helpers/cli';
import { redisServerPath, startRedis, type TestRedis } from '../../helpers/redis';
import { cacheDir } from '../../setup/global';
import { loadPhoto, paint, pureRed } from '../segmentation/helpers';

const work = join(cacheDir, 'queue');
const photos = join(work, 'photos');
const password = `pw-${process.pid}`;
let models: string;
let redis: TestRedis;
let client: Redis;
const workers: ChildProcessWithoutNullStreams[] = [];

/** Six photos, each with one red square (x1/y1 exclusive) the fixture GroundingDINO finds for "red". */
const squares = Array.from({ length: 6 }, (_, i) => ({
  x0: 40 + 50 * i,
  y0: 40 + 30 * (i % 3),
  x1: 110 + 50 * i,
  y1: 100 + 30 * (i % 3),
}));
const photoName = (i: number): string => `photo-${i}.png`;
const margin = 10;

const common = (out: string, steps = 2): string[] => [
  '--region',
  'red',
  '--prompt',
  'a blue box',
  '--sd',
  'sd15',
  '--controlnet',
  'controlnet-canny',
  '--steps',
  String(steps),
  '--dilate',
  '4',
  '--feather',
  '4',
  '--seed',
  '5',
  '--out',
  out,
];

/** Starts `iir worker` as a child process and waits for its first line ("worker <id> on …"). */
async function startWorker(): Promise<ChildProcessWithoutNullStreams> {
  const child = startIir([
    'worker',
    '--queue',
    redis.url,
    '--models',
    models,
    '--inputs',
    photos,
    '--outputs',
    work,
    '--provider',
    'cpu',
    '--lock-ms',
    '2000',
  ]);
  workers.push(child);
  await new Promise<void>((resolve, reject) => {
    let err = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      err += chunk;
      if (/^worker \S+ on redis:\/\/127\.0\.0\.1:\d+\/0: iir-edit\./m.test(err)) resolve();
    });
    child.once('exit', (code) => reject(new Error(`worker exited ${code}: ${err}`)));
  });
  return child;
}

/** The processes whose parent is `pid` (Linux /proc): a worker's engine process, and tsx's esbuild. */
function childrenOf(pid: number): number[] {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .filter((name) => {
      try {
        return readFileSync(`/proc/${name}/stat`, 'utf8').split(') ')[1]?.split(' ')[1] === `${pid}`;
      } catch {
        return false; // gone meanwhile
      }
    })
    .map(Number);
}

/** The heartbeats of the workers still running (a killed one's lasts until it expires). */
async function heartbeats(): Promise<{ pid: number; current: string | null; done: number }[]> {
  const keys = await client.keys('iir:worker:*');
  const values = keys.length > 0 ? await client.mget(keys) : [];
  const alive = new Set(workers.filter((w) => w.exitCode === null && w.signalCode === null).map((w) => w.pid));
  return values
    .filter((v): v is string => v !== null)
    .map((v) => JSON.parse(v) as { pid: number; current: string | null; done: number })
    .filter((h) => alive.has(h.pid));
}

async function until(check: () => Promise<boolean>, ms = 180_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Checks every photo's result: present, changed inside its square, identical outside it (plus the blend margin). */
async function expectOutsideExact(out: string): Promise<void> {
  for (const [i, rect] of squares.entries()) {
    const { inside, outside } = await changesAround(join(photos, photoName(i)), join(out, photoName(i)), rect, margin);
    expect(outside, photoName(i)).toBe(0);
    expect(inside, photoName(i)).toBeGreaterThan(1000);
  }
}

// Two workers, their two engine processes and the client share two cores with the rest of the suite: generous limits.
describe.skipIf(!redisServerPath)('batch edits on workers through Redis + BullMQ', { timeout: 400_000 }, () => {
  beforeAll(async () => {
    models = ensureFixtures();
    rmSync(work, { recursive: true, force: true });
    mkdirSync(photos, { recursive: true });
    const cat = await loadPhoto('chelsea');
    for (const [i, rect] of squares.entries()) {
      const image = paint(cat, [{ rect, rgb: pureRed }]);
      await sharp(image.data, { raw: { width: image.width, height: image.height, channels: 3 } })
        .png()
        .toFile(join(photos, photoName(i)));
    }
    redis = await startRedis({ password });
    client = new Redis(parseQueueUrl(redis.url).options);
    await Promise.all([startWorker(), startWorker()]);
  });

  afterAll(async () => {
    for (const worker of workers) worker.kill('SIGKILL');
    client?.disconnect();
    await redis?.stop();
  });

  it('edits a 6-photo batch on two workers, outside-exact, with every photo in the report', async () => {
    const out = join(work, 'out');
    const run = await runIirProcess(['batch', photos, ...common(out), '--queue', redis.url, '--json']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const summary = JSON.parse(run.stdout.trim().split('\n').at(-1)!) as { summary: Record<string, unknown> };
    expect(summary.summary).toMatchObject({ total: 6, edited: 6, failed: 0, notFound: 0 });
    const report = await readReport(join(out, 'report.jsonl'));
    expect(report.size).toBe(6);
    await expectOutsideExact(out);
    const done = (await heartbeats()).map((h) => h.done);
    expect(done.reduce((a, b) => a + b, 0)).toBe(6);
    expect(Math.min(...done)).toBeGreaterThan(0);
    // Each worker has a thread budget (the default, cores ÷ concurrency): its engine collects garbage on its own thread.
    if (process.platform === 'linux') {
      const commandLines = workers
        .flatMap((w) => childrenOf(w.pid!))
        .map((pid) => readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0'))
        .filter((args) => args.some((arg) => /engine[/\\]process[/\\]entry\.ts$/.test(arg)));
      expect(commandLines).toHaveLength(2);
      for (const args of commandLines) expect(args).toContain('--single-threaded-gc');
    }
  });

  it('redoes nothing when the same batch is submitted again', async () => {
    const out = join(work, 'out');
    const before = readdirSync(out)
      .filter((n) => n.endsWith('.png'))
      .map((n) => statSync(join(out, n)).mtimeMs);
    const doneBefore = (await heartbeats()).reduce((n, h) => n + h.done, 0);
    rmSync(join(out, 'report.jsonl'));
    const run = await runIirProcess(['batch', photos, ...common(out), '--queue', redis.url, '--json']);
    expect(run.code).toBe(0);
    expect((await readReport(join(out, 'report.jsonl'))).size).toBe(6);
    expect(
      readdirSync(out)
        .filter((n) => n.endsWith('.png'))
        .map((n) => statSync(join(out, n)).mtimeMs),
    ).toEqual(before);
    expect((await heartbeats()).reduce((n, h) => n + h.done, 0)).toBe(doneBefore);
  });

  it('finishes every photo when a worker is killed with -9 mid-job', async () => {
    const out = join(work, 'out-kill');
    const batch = startIir(['batch', photos, ...common(out, 12), '--queue', redis.url, '--json']);
    batch.stdin.end();
    const ended = finished(batch);
    await until(async () => (await heartbeats()).filter((h) => h.current !== null).length > 0);
    const busy = (await heartbeats()).find((h) => h.current !== null)!;
    const victim = workers.find((w) => w.pid === busy.pid)!;
    victim.kill('SIGKILL');
    const run = await ended;
    expect(run.code).toBe(0);
    const report = await readReport(join(out, 'report.jsonl'));
    expect([...report.values()].map((l) => l.status)).toEqual(Array(6).fill('edited'));
    await expectOutsideExact(out);
    expect(readdirSync(out).filter((n) => n.includes('.tmp'))).toEqual([]);
    await startWorker();
  });

  it('cancels a running batch on the workers with Ctrl-C', async () => {
    const out = join(work, 'out-cancel');
    const batch = startIir(['batch', photos, ...common(out, 150), '--queue', redis.url]);
    batch.stdin.end();
    const ended = finished(batch);
    await until(async () => (await heartbeats()).some((h) => h.current !== null));
    batch.kill('SIGINT');
    const run = await ended;
    expect(run.code).toBe(130);
    await until(async () => (await heartbeats()).every((h) => h.current === null), 60_000);
    const queue = new Queue(queueNameFor('sd15', 'controlnet-canny'), { connection: parseQueueUrl(redis.url).options });
    try {
      // The stopped job leaves 'active' once BullMQ has recorded its failure: wait for that, then nothing is left.
      const left = async () => queue.getJobCounts('waiting', 'active', 'prioritized', 'delayed');
      await until(async () => Object.values(await left()).every((n) => n === 0), 60_000);
      expect(await left()).toEqual({ waiting: 0, active: 0, prioritized: 0, delayed: 0 });
    } finally {
      await queue.close();
    }
    // Photos finished before Ctrl-C stay (whole, with their report line); nothing half-written, and not all six.
    const left = existsSync(out) ? readdirSync(out) : [];
    expect(left.filter((n) => n.includes('.tmp'))).toEqual([]);
    const written = left.filter((n) => n.endsWith('.png')).map((n) => join(out, n));
    expect(written.length).toBeLessThan(6);
    const report = await readReport(join(out, 'report.jsonl'));
    expect(written.every((path) => [...report.values()].some((line) => line.output === path))).toBe(true);
  });

  it('refuses a wrong password with one clear line, never printing the address with it', async () => {
    const wrong = redis.url.replace(password, 'not-the-password');
    const run = await runIirProcess(['batch', photos, ...common(join(work, 'out-wrong')), '--queue', wrong]);
    expect(run.code).toBe(1);
    expect(run.stderr.trim()).toBe(
      `iir: the queue at redis://127.0.0.1:${redis.port}/0 refused the user name or password`,
    );
    const worker = await runIirProcess([
      'worker',
      '--queue',
      wrong,
      '--models',
      models,
      '--inputs',
      photos,
      '--outputs',
      work,
    ]);
    expect(worker.code).toBe(1);
    expect(worker.stderr).not.toContain('not-the-password');
  });

  it('refuses a job that names a path outside the worker’s folders, without retrying it', async () => {
    const queue = new Queue(queueNameFor('sd15', 'controlnet-canny'), { connection: parseQueueUrl(redis.url).options });
    try {
      const data: BatchItemJob = {
        kind: 'batch-item',
        batchId: 'hostile',
        input: '/etc/hostname',
        inputSha256: '0'.repeat(64),
        output: join(work, 'out-hostile', 'x.png'),
        region: 'red',
        boxThreshold: 0.35,
        textThreshold: 0.25,
        params: editParamsSchema.parse({ prompt: 'x', sd: 'sd15', controlnet: 'controlnet-canny' }),
      };
      const job = await queue.add('batch-item', data, { attempts: 3 });
      await until(async () => (await job.getState()) === 'failed', 30_000);
      const failed = await queue.getJob(job.id!);
      expect(failed?.failedReason).toMatch(/outside this worker's input folders/);
      expect(failed?.attemptsMade).toBe(1);
      const escape = await queue.add('batch-item', {
        ...data,
        input: join(photos, photoName(0)),
        output: '/tmp/escaped.png',
      });
      await until(async () => (await escape.getState()) === 'failed', 30_000);
      expect((await queue.getJob(escape.id!))?.failedReason).toMatch(
        /changed since|outside this worker's output folders/,
      );
    } finally {
      await queue.close();
    }
  });
});
