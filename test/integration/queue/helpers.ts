import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { editParamsSchema, type EditParams } from '../../../shared/api';
import type { Rect } from '../../../shared/image/types';
import { SerialEngine } from '../../../main/batch/engine';
import { EngineClient } from '../../../main/engine/process/client';
import { forkLauncher } from '../../../main/engine/process/launcher';
import { parseQueueUrl } from '../../../main/queue/connection';
import { type RunningWorker, startQueueWorker } from '../../../main/queue/worker';
import { loadPhoto, paint, pureRed, rectMask } from '../segmentation/helpers';

/** A red square (x1/y1 exclusive) the fixture GroundingDINO finds for "red". */
export const square = (i: number): Rect => ({ x0: 40 + 40 * i, y0: 60, x1: 110 + 40 * i, y1: 120 });

/** Writes `count` PNG photos of the cat, each with its red square, into `folder`; answers their paths. */
export async function writePhotos(folder: string, count: number): Promise<string[]> {
  mkdirSync(folder, { recursive: true });
  const cat = await loadPhoto('chelsea');
  const paths: string[] = [];
  for (let i = 0; i < count; i++) {
    const image = paint(cat, [{ rect: square(i), rgb: pureRed }]);
    const path = join(folder, `photo-${i}.png`);
    await sharp(image.data, { raw: { width: image.width, height: image.height, channels: 3 } })
      .png()
      .toFile(path);
    paths.push(path);
  }
  return paths;
}

/** The mask of photo `i`'s square, at the photo's size. */
export async function squareMask(path: string, i: number) {
  const { width, height } = await sharp(path).metadata();
  return rectMask(width, height, square(i));
}

/** Edit parameters for the fixture models: a few steps, a small grow and feather. */
export function fixtureParams(steps: number): EditParams {
  return editParamsSchema.parse({
    prompt: 'a blue box',
    sd: 'sd15',
    controlnet: 'controlnet-canny',
    steps,
    dilatePx: 4,
    featherPx: 4,
    seed: 5,
  });
}

/** A worker in this process (its engine in a child process), as `iir worker` starts one. */
export async function startTestWorker(
  url: string,
  models: string,
  roots: string,
): Promise<{ worker: RunningWorker; stop(): Promise<void> }> {
  const client = new EngineClient(forkLauncher(undefined, process.env, 1));
  const worker = await startQueueWorker({
    address: parseQueueUrl(url),
    modelsDir: models,
    provider: 'cpu',
    concurrency: 1,
    inputRoots: [roots],
    outputRoots: [roots],
    lockMs: 5000,
    // One thread each (engine and launcher): the suite runs two workers (and itself) on a two-core machine.
    engine: new SerialEngine(client, 1),
    log: () => undefined,
  });
  return {
    worker,
    stop: async () => {
      await worker.close();
      client.dispose();
    },
  };
}

/** Polls `check` every 100 ms until it holds. */
export async function until(check: () => Promise<boolean> | boolean, ms = 120_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 100));
  }
}
