/**
 * Generate → first step event through the app's services (main, the engine process, the job queue), cold (the
 * engine process started, no session loaded) and warm (the document's models warmed by `edit:plan` first).
 */
import { mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import type { ImageId, JobEvent, JobId } from '../../../shared/api';
import { forkLauncher, sourceEntry } from '../../../main/engine/process/launcher';
import type { EngineTask, TaskValue } from '../../../main/engine/process/tasks';
import { type AppServices, createAppServices } from '../../../main/services/app';
import { cacheDir } from '../../setup/global';

const photo = join(import.meta.dirname, '..', '..', 'fixtures', 'images', 'astronaut.png');

async function call(services: AppServices, channel: string, request: unknown): Promise<unknown> {
  const envelope = await services.router.dispatch(channel, request, { transport: 'electron' });
  if (!envelope.ok) throw new Error(`${channel}: ${envelope.error.message}`);
  return envelope.value;
}

/** Milliseconds from `edit:start` to the job's first step event, and the whole edit's. */
async function timeFirstStep(services: AppServices, imageId: ImageId, mask: unknown, size: number) {
  const params = { prompt: 'a red helmet', steps: 4, seed: 3, size, provider: 'cpu' };
  const started = performance.now();
  const seen: { event: JobEvent; ms: number }[] = [];
  let wake = (): void => undefined;
  const unsubscribe = services.emitter.subscribe((channel, payload) => {
    if (channel !== 'jobs:event') return;
    seen.push({ event: payload as JobEvent, ms: performance.now() - started });
    wake();
  });
  const { jobId } = (await call(services, 'edit:start', { imageId, roi: { mask }, params })) as { jobId: JobId };
  const terminal = ['completed', 'failed', 'cancelled'];
  const mine = () => seen.filter((s) => s.event.jobId === jobId);
  while (!mine().some((s) => terminal.includes(s.event.type))) await new Promise<void>((resolve) => (wake = resolve));
  unsubscribe();
  const end = mine().at(-1)!;
  const firstStepMs = mine().find((s) => s.event.type === 'step')?.ms;
  if (end.event.type !== 'completed' || firstStepMs === undefined) throw new Error(`edit ended ${end.event.type}`);
  return { firstStepMs, editMs: performance.now() - started };
}

/** One app over `modelsDir` with its engine process started; `warmUps` collects what the warm-ups answered. */
async function startApp(modelsDir: string, log: (message: string) => void) {
  const userData = mkdtempSync(join(cacheDir, 'bench-first-step-'));
  const env = { ...process.env, IIR_USER_DATA: userData, IIR_MODELS_DIR: modelsDir };
  const services = await createAppServices({
    userDataDir: userData,
    launcher: forkLauncher(sourceEntry(), env),
    env,
    logger: { info: () => undefined, warn: log, error: (message) => log(message) },
  });
  const client = services.engines.client('cpu');
  const run = client.run.bind(client);
  const warmUps: Promise<TaskValue>[] = [];
  client.run = (task: EngineTask, options) => {
    const value = run(task, options);
    if (task.kind === 'warmup') warmUps.push(value);
    return value;
  };
  await client.run({ kind: 'preflight', refresh: false }); // the engine process is up, as after the app starts
  const image = (await call(services, 'images:open', { path: photo })) as {
    id: ImageId;
    width: number;
    height: number;
  };
  const data = new Uint8Array(image.width * image.height);
  for (let y = 128; y < 384; y++) data.fill(255, y * image.width + 128, y * image.width + 384);
  return { services, image, mask: { width: image.width, height: image.height, data }, warmUps };
}

/** Generate → first step, cold and then warm (each in a fresh app), at working size `size`. */
export async function firstStepColdWarm(modelsDir: string, size: number, log: (message: string) => void) {
  const round = (ms: number): number => Math.round(ms);
  const cold = await startApp(modelsDir, log);
  let coldMs: { firstStepMs: number; editMs: number };
  try {
    coldMs = await timeFirstStep(cold.services, cold.image.id, cold.mask, size);
  } finally {
    await cold.services.dispose();
  }
  const warm = await startApp(modelsDir, log);
  try {
    const planStarted = performance.now();
    const request = { imageId: warm.image.id, size, provider: 'cpu', warm: true };
    const plan = (await call(warm.services, 'edit:plan', request)) as { warming: boolean; expectedPeak: number };
    if (!plan.warming) throw new Error('edit:plan did not start a warm-up');
    const warmed = await warm.warmUps[0];
    const warmUpMs = performance.now() - planStarted;
    const warmMs = await timeFirstStep(warm.services, warm.image.id, warm.mask, size);
    log(`first step: cold ${round(coldMs.firstStepMs)} ms, warm ${round(warmMs.firstStepMs)} ms`);
    return {
      size,
      firstStepColdMs: round(coldMs.firstStepMs),
      firstStepWarmMs: round(warmMs.firstStepMs),
      warmUpMs: round(warmUpMs),
      warmedRoles: warmed?.kind === 'warmup' ? warmed.loaded.length : 0,
      expectedPeakMiB: Math.round(plan.expectedPeak / 2 ** 20),
    };
  } finally {
    await warm.services.dispose();
  }
}
