import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobEvent } from '../../../shared/api';
import { readRecipe } from '../../../main/engine/recipe';
import { decodeImage } from '../../../main/image/decode';
import { encodeImage } from '../../../main/image/encode';
import { call, jobEvents, photoPath, segmentationModelsDir, startServices } from './helpers';

let services: Awaited<ReturnType<typeof startServices>>;
let events: ReturnType<typeof jobEvents>;
beforeAll(async () => {
  services = await startServices();
  events = jobEvents(services);
});
afterAll(async () => {
  await services.dispose();
});

/** A 451×300 photo with a box RoI, as the renderer would send after painting. */
async function document() {
  const image = await call(services, 'images:open', { path: photoPath('chelsea') });
  const data = new Uint8Array(image.width * image.height);
  for (let y = 100; y < 220; y++) data.fill(255, y * image.width + 150, y * image.width + 330);
  return { image, mask: { width: image.width, height: image.height, data } };
}

function startEdit(doc: Awaited<ReturnType<typeof document>>, steps: number, seed = 1) {
  return call(services, 'edit:start', {
    imageId: doc.image.id,
    roi: { mask: doc.mask },
    params: { prompt: 'a green cat', steps, seed, provider: 'cpu' },
  });
}

function checkOrder(list: JobEvent[]): void {
  const types = list.map((e) => e.type);
  expect(types[0]).toBe('queued');
  expect(types.filter((t) => t === 'completed' || t === 'failed' || t === 'cancelled')).toHaveLength(1);
  expect(['completed', 'failed', 'cancelled']).toContain(types.at(-1));
  const firstRunning = types.findIndex((t) => t === 'loading' || t === 'step');
  if (firstRunning >= 0) expect(types.slice(firstRunning).includes('queued')).toBe(false);
  const steps = list.flatMap((e) => (e.type === 'step' ? [e.i] : []));
  expect(steps).toEqual([...steps].sort((a, b) => a - b));
}

describe('jobs through the engine process', () => {
  it('runs an edit with fixture models: ordered events, one terminal event, a full-size result with its recipe', async () => {
    const doc = await document();
    const { jobId } = await startEdit(doc, 4, 7);
    const list = await events.terminal(jobId);
    checkOrder(list);
    expect(list.map((e) => e.type)).toContain('loading');
    const last = list.at(-1);
    expect(last?.type).toBe('completed');
    if (last?.type !== 'completed' || last.result.kind !== 'edit') throw new Error('no edit result');
    expect(last.result.seeds).toEqual([7]);
    expect(last.result.provider).toBe('cpu');
    const [resultId] = last.result.resultIds;
    expect(await call(services, 'images:info', { id: resultId! })).toMatchObject({
      kind: 'result',
      width: 451,
      height: 300,
    });
    const out = `${services.env.IIR_USER_DATA}/edited.png`;
    await services.images.export(resultId!, out, { format: 'png', quality: 92, metadata: true });
    expect(await readRecipe(out)).toMatchObject({ prompt: 'a green cat', seed: 7 });
    const difference = await call(services, 'images:difference', { id: resultId! });
    expect(difference).toMatchObject({ changedOutsideRegion: 0, depth: 8 });
    expect(difference.changedPixels).toBeGreaterThan(1000);
    // the heat map is an image of the photo's size; the original was opened and decoded once for both calls
    expect(await call(services, 'images:info', { id: difference.mapId })).toMatchObject({ width: 451, height: 300 });
    expect(await call(services, 'images:difference', { id: resultId! })).toMatchObject({
      changedPixels: difference.changedPixels,
    });
    expect(services.images.sources.stats()).toMatchObject({ opens: 1, decodes: 1 });
    expect(await call(services, 'images:exportNotes', { id: resultId!, format: 'jpeg' })).toMatchObject({
      notes: ['JPEG is lossy: the whole image is re-encoded'],
      source: { format: 'png', space: 'rgb', depth: 8, hasLocation: false },
      jpegBlocks: null,
    });
    const tiff = `${services.env.IIR_USER_DATA}/edited.tif`;
    expect(await services.images.export(resultId!, tiff, { format: 'tiff', metadata: true })).toEqual([]);
    const encoded = await call(services, 'images:encode', { id: resultId!, format: 'jpeg' });
    expect(encoded.notes).toEqual(['JPEG is lossy: the whole image is re-encoded']);
    expect(await readRecipe(tiff)).toMatchObject({ output: { format: 'tiff', removeLocation: false } });
    expect(await call(services, 'jobs:events', { jobId })).toEqual({ events: list });
    const steps = list.filter((e) => e.type === 'step');
    expect(steps.length).toBeGreaterThan(0);
  });

  it('applies the per-model provider pins from the settings, recording why a pinned provider was not used', async () => {
    await call(services, 'settings:set', { providerPerRole: { vae_decoder: 'coreml' } });
    try {
      const doc = await document();
      const { jobId } = await startEdit(doc, 2, 11);
      const last = (await events.terminal(jobId)).at(-1);
      if (last?.type !== 'completed' || last.result.kind !== 'edit') throw new Error(`no edit result: ${last?.type}`);
      const out = `${services.env.IIR_USER_DATA}/pinned.png`;
      await services.images.export(last.result.resultIds[0]!, out, { format: 'png', quality: 92, metadata: true });
      const recipe = await readRecipe(out);
      // CoreML exists only on macOS: the pin is honoured as far as it can be and the fallback is on record
      expect(recipe.fallbacks.vae_decoder?.join(' ')).toMatch(/^coreml: /);
      expect(recipe.fallbacks.unet ?? []).toEqual([]);
    } finally {
      await call(services, 'settings:set', { providerPerRole: {} });
    }
  });

  it('runs edits in low-memory mode when the setting says so', async () => {
    const lowMemoryOf = async (name: string): Promise<boolean> => {
      const { jobId } = await startEdit(await document(), 2, 13);
      const last = (await events.terminal(jobId)).at(-1);
      if (last?.type !== 'completed' || last.result.kind !== 'edit') throw new Error(`no edit result: ${last?.type}`);
      const out = `${services.env.IIR_USER_DATA}/${name}.png`;
      await services.images.export(last.result.resultIds[0]!, out, { format: 'png', metadata: true });
      return (await readRecipe(out)).params.lowMemory;
    };
    expect(await lowMemoryOf('normal')).toBe(false);
    await call(services, 'settings:set', { lowMemory: true });
    try {
      expect(await lowMemoryOf('low-memory')).toBe(true);
    } finally {
      await call(services, 'settings:set', { lowMemory: false });
    }
  });

  it('keeps later jobs queued with positions and cancels a queued and a running job as cancelled', async () => {
    const doc = await document();
    const running = await startEdit(doc, 60);
    const queued = await startEdit(doc, 2);
    const third = await startEdit(doc, 2, 3);
    expect(
      (await call(services, 'jobs:list', {})).jobs.filter((j) => j.state === 'queued').map((j) => j.jobId),
    ).toEqual([queued.jobId, third.jobId]);
    expect(await call(services, 'jobs:cancel', { jobId: queued.jobId })).toEqual({ wasActive: true });
    expect(await call(services, 'jobs:cancel', { jobId: queued.jobId })).toEqual({ wasActive: false });
    await events.first(running.jobId, 'step');
    expect(await call(services, 'jobs:cancel', { jobId: running.jobId })).toEqual({ wasActive: true });
    const cancelledRunning = await events.terminal(running.jobId);
    const cancelledQueued = await events.terminal(queued.jobId);
    const completedThird = await events.terminal(third.jobId);
    for (const list of [cancelledRunning, cancelledQueued, completedThird]) checkOrder(list);
    expect(cancelledRunning.at(-1)?.type).toBe('cancelled');
    expect(cancelledQueued.map((e) => e.type)).toEqual(['queued', 'cancelled']);
    expect(completedThird.filter((e) => e.type === 'queued').map((e) => e.type === 'queued' && e.position)).toEqual([
      2, 1,
    ]);
    expect(completedThird.at(-1)?.type).toBe('completed');
    expect(await call(services, 'jobs:cancel', { jobId: running.jobId })).toEqual({ wasActive: false });
  });

  it('survives the engine process dying mid-edit: that job fails with a clear message, the next succeeds', async () => {
    const doc = await document();
    const doomed = await startEdit(doc, 150);
    const next = await startEdit(doc, 2);
    await events.first(doomed.jobId, 'step');
    const pid = services.engines.pids().cpu;
    expect(pid).toBeGreaterThan(0);
    process.kill(pid!, 'SIGKILL');
    const failed = await events.terminal(doomed.jobId);
    checkOrder(failed);
    expect(failed.at(-1)).toMatchObject({
      type: 'failed',
      error: {
        code: 'internal',
        message: expect.stringMatching(/engine process stopped unexpectedly.*restarts/) as unknown,
      },
    });
    const succeeded = await events.terminal(next.jobId);
    expect(succeeded.at(-1)?.type).toBe('completed');
    expect(services.engines.pids().cpu).not.toBe(pid);
    expect(await call(services, 'images:info', { id: doc.image.id })).toMatchObject({ kind: 'original' });
  });
});

describe('segmentation through the engine process', () => {
  let segmenting: Awaited<ReturnType<typeof startServices>>;
  let segmentEvents: ReturnType<typeof jobEvents>;
  beforeAll(async () => {
    segmenting = await startServices(segmentationModelsDir());
    segmentEvents = jobEvents(segmenting);
  });
  afterAll(async () => {
    await segmenting.dispose();
  });

  it('selects a region from text and hands back its mask by id', async () => {
    const decoded = await decodeImage(photoPath('coffee'));
    const rgb = decoded.rgb;
    for (let y = 40; y < 150; y++) {
      for (let x = 60; x < 180; x++) rgb.data.set([255, 0, 0], (y * rgb.width + x) * 3);
    }
    const bytes = await encodeImage(rgb, null, { format: 'png' });
    const image = await call(segmenting, 'images:open', { bytes, name: 'red.png' });
    const { jobId } = await call(segmenting, 'segment:start', { imageId: image.id, text: 'red', provider: 'cpu' });
    const list = await segmentEvents.terminal(jobId);
    checkOrder(list);
    const last = list.at(-1);
    if (last?.type !== 'completed' || last.result.kind !== 'segment')
      throw new Error(`segment ended ${JSON.stringify(last)}`);
    expect(last.result.message).toBeNull();
    expect(last.result.instances[0]).toMatchObject({ phrase: 'red' });
    expect(last.result.instances[0]!.x0).toBeCloseTo(60, -1);
    const mask = segmenting.images.mask(last.result.maskId);
    expect([mask.width, mask.height]).toEqual([600, 400]);
    expect(mask.data[100 * 600 + 120]).toBe(255);
    expect(mask.data[300 * 600 + 500]).toBe(0);
    expect(await call(segmenting, 'images:info', { id: last.result.maskId })).toMatchObject({ kind: 'mask' });
  });
});
