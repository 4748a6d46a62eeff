/**
 * Warm start (issue #12): `edit:plan` with `warm` has the engine process create the sessions of the document's next
 * edit in the background; the edit that follows creates none (even when it arrives while the warm-up loads), and
 * another document's plan, or an edit needing other sessions, supersedes it (whether a warm-up still in flight is
 * cancelled is warmUps.test.ts's, where the timing is the test's).
 */
import { cpSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { modelHashCachePath } from '../../../main/engine/hashes';
import type { ImageId } from '../../../shared/api';
import type { EngineTask, TaskValue } from '../../../main/engine/process/tasks';
import type { RunOptions } from '../../../main/engine/process/client';
import { ensureFixtures } from '../../fixtures/models/all';
import { call, jobEvents, photoPath, startServices } from './helpers';

let services: Awaited<ReturnType<typeof startServices>>;
let jobs: ReturnType<typeof jobEvents>;
const runs: { task: EngineTask; signal: AbortSignal | undefined; value: Promise<TaskValue> }[] = [];

beforeAll(async () => {
  // A models folder of its own, so the hash cache it finds after the edit is this test's, not another's
  const models = mkdtempSync(join(tmpdir(), 'iir-warm-models-'));
  const fixtures = ensureFixtures();
  const ownCache = (path: string): boolean => relative(fixtures, path).split(sep)[0] !== '.cache';
  cpSync(fixtures, models, { recursive: true, filter: ownCache });
  services = await startServices(models);
  jobs = jobEvents(services);
  // Records every task main sends the CPU engine, and what it answered.
  const client = services.engines.client('cpu');
  const run = client.run.bind(client);
  client.run = (task: EngineTask, options?: RunOptions) => {
    const value = run(task, options);
    value.catch(() => undefined);
    runs.push({ task, signal: options?.signal, value });
    return value;
  };
});
afterAll(() => services.dispose());

const canny = { sd: 'sd15', controlnet: 'controlnet-canny' };
const iir = { sd: 'sd15', controlnet: 'controlnet-iir' };

async function open(name: 'chelsea' | 'coffee') {
  const image = await call(services, 'images:open', { path: photoPath(name) });
  const data = new Uint8Array(image.width * image.height);
  for (let y = 40; y < 160; y++) data.fill(255, y * image.width + 60, y * image.width + 200);
  return { id: image.id, mask: { width: image.width, height: image.height, data } };
}

function plan(imageId: ImageId, models: typeof canny) {
  return call(services, 'edit:plan', { imageId, ...models, size: 256, provider: 'cpu', warm: true });
}

async function edit(doc: Awaited<ReturnType<typeof open>>, models: typeof canny) {
  const params = { prompt: 'a green cat', steps: 2, size: 256, provider: 'cpu' as const, ...models };
  const { jobId } = await call(services, 'edit:start', { imageId: doc.id, roi: { mask: doc.mask }, params });
  const events = await jobs.terminal(jobId);
  expect(events.at(-1)?.type).toBe('completed');
  const sent = runs.filter((r) => r.task.kind === 'edit').at(-1)!;
  const value = await sent.value;
  if (value.kind !== 'edit' || sent.task.kind !== 'edit') throw new Error('not an edit');
  return { task: sent.task, value };
}

const lastWarmUp = () => runs.filter((r) => r.task.kind === 'warmup').at(-1)!;

describe('warm start', () => {
  it('a document plan warms its models; Generate right after it creates no session', async () => {
    const doc = await open('chelsea');
    const planned = await plan(doc.id, canny);
    expect(planned).toMatchObject({ warming: true, device: 'cpu', width: 384, height: 256, lowMemory: 'off' });
    const warm = lastWarmUp();
    // Generate at once: the edit waits for the warm-up in the engine instead of loading beside it
    const { task, value } = await edit(doc, canny);
    const warmed = await warm.value;
    expect(warmed.kind === 'warmup' && [...warmed.loaded].sort()).toEqual([
      'controlnet',
      'text_encoder',
      'unet',
      'vae_decoder',
      'vae_encoder',
    ]);
    expect(value.sessionLoads).toEqual([]);
    // the edit ran with the levers the plan showed
    expect(task.memory).toEqual(warm.task.kind === 'warmup' ? warm.task.memory : undefined);
    expect(warm.signal?.aborted).toBe(false);
    // the recipe's file hashes are kept with the models, so the next engine process does not read the weights again
    const hashed = Object.keys(JSON.parse(readFileSync(modelHashCachePath(task.modelsDir), 'utf8')) as object);
    expect(hashed.some((path) => path.startsWith(join(task.modelsDir, 'sd15')))).toBe(true);
  });

  it("another document's plan supersedes a warm-up in flight, and its edit finds its own sessions", async () => {
    const first = await open('chelsea');
    const second = await open('coffee');
    await plan(first.id, iir);
    const superseded = lastWarmUp();
    await plan(second.id, canny);
    // cancelled when still in flight (unit: warmUps.test.ts); either way it settles, and the engine holds the second's
    await superseded.value.catch(() => undefined);
    const { value } = await edit(second, canny);
    expect(value.sessionLoads).toEqual([]);
  });

  it('an edit that needs other sessions, right after a warm-up, runs with its own', async () => {
    const doc = await open('chelsea');
    await plan(doc.id, iir);
    const warm = lastWarmUp();
    const { value } = await edit(doc, canny);
    const warmed = await warm.value.then(
      () => 'finished',
      () => 'cancelled',
    );
    // cancelled before it replaced the engine's sessions: the edit finds the previous test's (its own); else it loads
    if (value.sessionLoads.length === 0) expect(warmed).toBe('cancelled');
    else
      expect([...value.sessionLoads].sort()).toEqual([
        'controlnet',
        'text_encoder',
        'unet',
        'vae_decoder',
        'vae_encoder',
      ]);
  });
});
