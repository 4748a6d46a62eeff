/**
 * The optimized-graph cache: the first CPU session writes the optimized graph (external weights), the second loads
 * it with the same outputs; a changed model gets a new entry and the old one goes; a damaged entry is dropped and
 * written again, never an error.
 */
import { cpSync, mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { preflight, type PreflightReport } from '../../../main/engine/providers';
import { sessionCacheDir } from '../../../main/engine/sessionCache';
import { createSession } from '../../../main/engine/sessions';
import { ensureFixtures } from '../../fixtures/models/all';

let dir: string;
let model: string;
let report: PreflightReport;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'iir-session-cache-'));
  cpSync(join(ensureFixtures(), 'sd15-external', 'vae_decoder'), join(dir, 'vae_decoder'), { recursive: true });
  model = join(dir, 'vae_decoder', 'model.onnx');
  report = await preflight();
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function decodeWith(cacheDir: string): Promise<{ cached: boolean; values: Float32Array }> {
  const loaded = await createSession(model, 'vae_decoder', { report, settings: { default: 'cpu' }, cacheDir });
  const latents = new Float32Array(4 * 8 * 8).map((_, i) => Math.sin(i));
  const out = await loaded.session.run({ latent_sample: new ort.Tensor('float32', latents, [1, 4, 8, 8]) });
  const values = (out.sample!.data as Float32Array).slice();
  await loaded.session.release();
  return { cached: loaded.cached, values };
}

describe('optimized-graph cache', () => {
  it('writes the optimized graph once, then loads it with the same outputs', async () => {
    const cacheDir = sessionCacheDir(dir);
    const cold = await decodeWith(cacheDir);
    expect(cold.cached).toBe(false);
    const entries = readdirSync(cacheDir);
    expect(entries).toHaveLength(1);
    expect(readdirSync(join(cacheDir, entries[0]!))).toContain('model.onnx'); // weights over 1 KB: model.onnx_data
    const warm = await decodeWith(cacheDir);
    expect(warm.cached).toBe(true);
    expect(warm.values).toEqual(cold.values);
  });

  it('a changed model gets a new entry and its old entry is removed', async () => {
    const cacheDir = sessionCacheDir(dir);
    const before = readdirSync(cacheDir);
    const later = new Date(Date.now() + 60_000);
    utimesSync(model, later, later);
    expect((await decodeWith(cacheDir)).cached).toBe(false);
    const after = readdirSync(cacheDir);
    expect(after).toHaveLength(1);
    expect(after[0]).not.toBe(before[0]);
  });

  it('a damaged entry is dropped and written again', async () => {
    const cacheDir = sessionCacheDir(dir);
    const [entry] = readdirSync(cacheDir);
    writeFileSync(join(cacheDir, entry!, 'model.onnx'), 'not a model');
    const again = await decodeWith(cacheDir);
    expect(again.cached).toBe(false);
    expect((await decodeWith(cacheDir)).cached).toBe(true);
  });
});
