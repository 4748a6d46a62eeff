import { existsSync, mkdirSync, mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import type { BatchEvent } from '../../../shared/api';
import { forkLauncher, sourceEntry } from '../../../main/engine/process/launcher';
import { type AppServices, createAppServices } from '../../../main/services/app';
import { ensureFixtures } from '../../fixtures/models/all';
import { cacheDir } from '../../setup/global';
import type { BenchSuite } from '../suite';

const photoCount = 40;
const chelsea = join(import.meta.dirname, '..', '..', 'fixtures', 'images', 'chelsea.png');
const mib = (bytes: number): number => Math.round((bytes / 1024 / 1024) * 10) / 10;

/** A 12 MP JPEG (the shared cat, resized up) with a red square the fixture GroundingDINO finds for "red". */
async function writePhoto(path: string): Promise<void> {
  if (existsSync(path)) return;
  const square = await sharp({ create: { width: 600, height: 500, channels: 3, background: { r: 255, g: 0, b: 0 } } })
    .png()
    .toBuffer();
  await sharp(chelsea)
    .resize(4000, 3000)
    .composite([{ input: square, left: 900, top: 700 }])
    .jpeg({ quality: 90 })
    .toFile(path);
}

/** Main's memory once the batch is over: RSS and array buffers, and again after a full collection when exposed. */
async function endMemory(): Promise<Record<string, number>> {
  const { rss, arrayBuffers } = process.memoryUsage();
  const end = { endRssMiB: mib(rss), endArrayBuffersMiB: mib(arrayBuffers) };
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) return end;
  gc();
  await new Promise((resolve) => setTimeout(resolve, 500));
  const after = process.memoryUsage();
  return { ...end, afterGcRssMiB: mib(after.rss), afterGcArrayBuffersMiB: mib(after.arrayBuffers) };
}

async function call(services: AppServices, channel: string, request: unknown): Promise<unknown> {
  const envelope = await services.router.dispatch(channel, request, { transport: 'electron' });
  if (!envelope.ok) throw new Error(`${channel}: ${envelope.error.message}`);
  return envelope.value;
}

/**
 * One Batch sheet batch of `photoCount` photos through main's handlers, as the renderer drives it (each photo handed
 * over when main asks for it); main's image store bytes and RSS sampled at every batch event and every 50 ms.
 */
async function runSheetBatch(services: AppServices, photo: string) {
  const peak = { store: 0, rss: 0 };
  const sample = (): void => {
    peak.store = Math.max(peak.store, services.images.usage().bytes);
    peak.rss = Math.max(peak.rss, process.memoryUsage().rss);
  };
  const timer = setInterval(sample, 50);
  const last = new Map<number, Extract<BatchEvent, { type: 'item' }>>();
  const started = performance.now();
  const ended = new Promise<void>((resolve) => {
    services.emitter.subscribe((channel, payload) => {
      if (channel !== 'batch:event') return;
      const event = payload as BatchEvent;
      sample();
      if (event.type === 'batch' && (event.state === 'done' || event.state === 'cancelled')) resolve();
      if (event.type !== 'item') return;
      last.set(event.index, event);
      const ref = { batchId: event.batchId, index: event.index };
      if (event.state === 'opening') void call(services, 'batch:supply', { ...ref, image: { path: photo } });
    });
  });
  await call(services, 'batch:start', {
    count: photoCount,
    region: 'red',
    params: { prompt: 'a blue box', steps: 2, seed: 3, provider: 'cpu' },
  });
  await ended;
  clearInterval(timer);
  const states = [...last.values()].map((item) => item.state);
  return {
    photos: photoCount,
    edited: states.filter((state) => state === 'edited').length,
    failed: states.filter((state) => state === 'failed').length,
    firstFailure: [...last.values()].find((item) => item.state === 'failed')?.message ?? null,
    wallMs: Math.round(performance.now() - started),
    peakStoreMiB: mib(peak.store),
    endStoreMiB: mib(services.images.usage().bytes),
    endStoreImages: services.images.usage().count,
    peakRssMiB: mib(peak.rss),
    ...(await endMemory()),
  };
}

/** Main's memory over a Batch sheet batch of 40 12 MP photos with the fixture models (2 steps each). */
export const batchSheetSuite: BenchSuite = {
  name: 'batch-sheet',
  summary: 'Batch sheet: main’s peak image-store bytes and RSS over 40 photos of 12 MP (fixture models, 2 steps)',
  async run(context) {
    const models = ensureFixtures();
    const folder = join(cacheDir, 'bench-batch-sheet');
    mkdirSync(folder, { recursive: true });
    const photo = join(folder, 'photo-12mp.jpg');
    await writePhoto(photo);
    const userData = mkdtempSync(join(folder, 'user-data-'));
    const env = { ...process.env, IIR_USER_DATA: userData, IIR_MODELS_DIR: models };
    const services = await createAppServices({
      userDataDir: userData,
      launcher: forkLauncher(sourceEntry(), env),
      env,
      logger: {
        info: () => undefined,
        warn: (message) => context.log(message),
        error: (message) => context.log(message),
      },
    });
    try {
      const baselineRssMiB = mib(process.memoryUsage().rss);
      context.log(`${photoCount} photos of 12 MP…`);
      return { baselineRssMiB, ...(await runSheetBatch(services, photo)) };
    } finally {
      await services.dispose();
    }
  },
};
