import { randomUUID } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { editParamsSchema } from '../../../shared/api';
import { SerialEngine } from '../../../main/batch/engine';
import { listBatchInputs } from '../../../main/batch/inputs';
import { runBatch } from '../../../main/batch/runner';
import { EngineClient } from '../../../main/engine/process/client';
import { forkLauncher, sourceEntry } from '../../../main/engine/process/launcher';
import { ensureFixtures } from '../../fixtures/models/all';
import { cacheDir } from '../../setup/global';
import type { BenchSuite } from '../suite';

const photoCount = 8;
const chelsea = join(import.meta.dirname, '..', '..', 'fixtures', 'images', 'chelsea.png');

/** `photoCount` 1.2 MP photos, each with a red square the fixture GroundingDINO finds for "red", in new places. */
async function writePhotos(folder: string): Promise<void> {
  rmSync(folder, { recursive: true, force: true });
  mkdirSync(folder, { recursive: true });
  for (let i = 0; i < photoCount; i++) {
    const square = await sharp({ create: { width: 160, height: 140, channels: 3, background: { r: 255, g: 0, b: 0 } } })
      .png()
      .toBuffer();
    await sharp(chelsea)
      .resize(1350, 900)
      .flop(i % 2 === 1)
      .composite([{ input: square, left: 100 + 70 * i, top: 80 + 40 * (i % 6) }])
      .jpeg({ quality: 92 })
      .toFile(join(folder, `photo-${String(i).padStart(2, '0')}.jpg`));
  }
}

/** One batch over the photos with `jobs` in flight; a fresh output folder, a warm engine. */
async function timeBatch(engineClient: EngineClient, folder: string, out: string, jobs: number, models: string) {
  rmSync(out, { recursive: true, force: true });
  const summary = await runBatch(
    {
      inputs: await listBatchInputs([folder]),
      outDir: out,
      region: 'red',
      boxThreshold: 0.35,
      textThreshold: 0.25,
      params: editParamsSchema.parse({
        prompt: 'a blue box',
        steps: 10,
        sd: 'sd15',
        controlnet: 'controlnet-canny',
        provider: 'cpu',
      }),
      modelsDir: models,
      provider: 'cpu',
      jobs,
      signal: new AbortController().signal,
      runId: randomUUID(),
      overwrite: true,
    },
    new SerialEngine(engineClient),
  );
  return {
    imagesPerMinute: summary.imagesPerMinute,
    engineBusy: summary.engineBusy,
    wallMs: summary.wallMs,
    edited: summary.edited,
  };
}

/** Images per minute of `iir batch` with fixture models, and how busy the pipeline keeps the engine process. */
export const batchSuite: BenchSuite = {
  name: 'batch',
  summary: 'batch edit by text: images per minute (fixture models, 1.2 MP JPEGs, 10 steps) and engine busy fraction',
  async run(context) {
    const models = ensureFixtures();
    const folder = join(cacheDir, 'bench-batch', 'photos');
    await writePhotos(folder);
    const client = new EngineClient(forkLauncher(sourceEntry()));
    try {
      context.log('warm-up');
      await timeBatch(client, folder, join(cacheDir, 'bench-batch', 'warm'), 2, models);
      const results: Record<string, unknown> = {};
      for (const jobs of [1, 2]) {
        context.log(`--jobs ${jobs}`);
        results[`jobs${jobs}`] = await timeBatch(
          client,
          folder,
          join(cacheDir, 'bench-batch', `out-${jobs}`),
          jobs,
          models,
        );
      }
      return results;
    } finally {
      client.dispose();
    }
  },
};
