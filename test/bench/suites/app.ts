import { mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { ImageId, JobEvent, JobId } from '../../../shared/api';
import { forkLauncher, sourceEntry } from '../../../main/engine/process/launcher';
import { type AppServices, createAppServices } from '../../../main/services/app';
import { ensureFixtures } from '../../fixtures/models/all';
import { cacheDir } from '../../setup/global';
import type { BenchSuite } from '../suite';
import { firstStepColdWarm } from './appFirstStep';

const photo = join(import.meta.dirname, '..', '..', 'fixtures', 'images', 'astronaut.png');
const realScaleModels = join(import.meta.dirname, '..', '..', '..', '.cache', 'real-scale', 'models');
const round = (ms: number): number => Math.round(ms * 100) / 100;

async function call(services: AppServices, channel: string, request: unknown): Promise<unknown> {
  const envelope = await services.router.dispatch(channel, request, { transport: 'electron' });
  if (!envelope.ok) throw new Error(`${channel}: ${envelope.error.message}`);
  return envelope.value;
}

/** Runs one edit to its end, fetching every preview as PNG as the renderer would. */
async function edit(services: AppServices, imageId: ImageId, mask: unknown, steps: number): Promise<JobEvent> {
  const { jobId } = (await call(services, 'edit:start', {
    imageId,
    roi: { mask },
    params: { prompt: 'a red helmet', steps, seed: 3, provider: 'cpu' },
  })) as { jobId: JobId };
  return new Promise((resolve) => {
    const unsubscribe = services.emitter.subscribe((channel, payload) => {
      const event = payload as JobEvent;
      if (channel !== 'jobs:event' || event.jobId !== jobId) return;
      if (event.type === 'step' && event.previewId) void services.images.png(event.previewId).catch(() => undefined);
      if (event.type === 'completed' || event.type === 'failed' || event.type === 'cancelled') {
        unsubscribe();
        resolve(event);
      }
    });
  });
}

/** The main process's event-loop delay while an edit with fixture models runs through the engine process. */
export const appSuite: BenchSuite = {
  name: 'app',
  summary:
    'main-process event-loop delay (p99, max) during an edit in the engine process; Generate → first step, cold and warm',
  async run(context) {
    const log = (message: string): void => context.log(message);
    // `--scale real`: the first-step figures on the real-scale models (`--models`, as the engine suite takes them)
    const models = context.scale === 'real' ? (context.models ?? realScaleModels) : ensureFixtures();
    const firstStep = await firstStepColdWarm(models, 512, log);
    if (context.scale === 'real') return { firstStep };
    const userData = mkdtempSync(join(cacheDir, 'bench-app-'));
    const env = { ...process.env, IIR_USER_DATA: userData, IIR_MODELS_DIR: ensureFixtures() };
    const services = await createAppServices({
      userDataDir: userData,
      launcher: forkLauncher(sourceEntry(), env),
      env,
      logger: { info: () => undefined, warn: log, error: (message) => log(message) },
    });
    try {
      const image = (await call(services, 'images:open', { path: photo })) as {
        id: ImageId;
        width: number;
        height: number;
      };
      const data = new Uint8Array(image.width * image.height);
      for (let y = 128; y < 384; y++) data.fill(255, y * image.width + 128, y * image.width + 384);
      const mask = { width: image.width, height: image.height, data };
      log('warm-up edit (engine start, model load)…');
      const warm = await edit(services, image.id, mask, 2);
      if (warm.type !== 'completed') throw new Error(`warm-up edit ended ${warm.type}`);
      const histogram = monitorEventLoopDelay({ resolution: 1 });
      histogram.enable();
      const started = performance.now();
      const measured = await edit(services, image.id, mask, 30);
      const editMs = performance.now() - started;
      histogram.disable();
      if (measured.type !== 'completed') throw new Error(`measured edit ended ${measured.type}`);
      log(`edit: ${Math.round(editMs)} ms, 30 steps at 512², engine pid ${services.engines.pids().cpu ?? '?'}`);
      return {
        eventLoopP99Ms: round(histogram.percentile(99) / 1e6),
        eventLoopMaxMs: round(histogram.max / 1e6),
        editMs: Math.round(editMs),
        firstStep,
      };
    } finally {
      await services.dispose();
    }
  },
};
