/**
 * A worker's thread budget (`iir worker --threads`): validated, and carried from the worker's engine tasks to the
 * options of every ONNX Runtime session its engine creates.
 */
import { describe, expect, it } from 'vitest';
import { SerialEngine } from '../../../main/batch/engine';
import type { EngineClient } from '../../../main/engine/process/client';
import { editOptionsOf, type EditTask } from '../../../main/engine/process/editTask';
import type { SegmentTask } from '../../../main/engine/process/segmentTask';
import type { PreflightReport } from '../../../main/engine/providers';
import { resolveOptions, type EditOptions } from '../../../main/engine/pipeline';
import { sessionOptions } from '../../../main/engine/sessions';
import { prepareModels } from '../../../main/engine/stages';
import { applySharpThreads, checkThreads, defaultThreads, threadSessionOptions } from '../../../main/engine/threads';
import { editParamsSchema } from '../../../shared/api';
import sharp from 'sharp';
import { ensureFixtures } from '../../fixtures/models/all';

const report: PreflightReport = {
  platform: 'linux',
  arch: 'x64',
  auto: 'cpu',
  notes: [],
  providers: [{ name: 'cpu', shipped: true, ok: true }],
};

describe('thread budget', () => {
  it('accepts whole numbers from 1 and refuses anything else with one line', () => {
    expect(checkThreads(1)).toBe(1);
    expect(checkThreads(16)).toBe(16);
    for (const bad of [0, -2, 1.5, Number.NaN, 1000]) {
      expect(() => checkThreads(bad)).toThrow(/^the thread budget must be a whole number from 1 to 256, not \S+$/);
    }
  });

  it('defaults to the cores shared out over the jobs in hand, at least one', () => {
    expect(defaultThreads(1, 2)).toBe(2);
    expect(defaultThreads(2, 2)).toBe(1);
    expect(defaultThreads(4, 2)).toBe(1);
    expect(defaultThreads(3, 8)).toBe(2);
  });

  it('caps every session the engine builds: intra-op threads, one inter-op thread, sequential', () => {
    const capped = { report, settings: { default: 'cpu' as const, threads: 1 } };
    for (const role of ['unet', 'controlnet', 'vae_decoder', 'text_encoder'] as const) {
      expect(sessionOptions('cpu', capped, role)).toMatchObject({
        intraOpNumThreads: 1,
        interOpNumThreads: 1,
        executionMode: 'sequential',
        executionProviders: ['cpu'],
      });
    }
    const uncapped = sessionOptions('cpu', { report, settings: { default: 'cpu' } }, 'unet');
    expect(uncapped).not.toHaveProperty('intraOpNumThreads');
    expect(uncapped).not.toHaveProperty('interOpNumThreads');
    expect(threadSessionOptions(3)).toEqual({
      intraOpNumThreads: 3,
      interOpNumThreads: 1,
      executionMode: 'sequential',
    });
    expect(() => threadSessionOptions(0)).toThrow('the thread budget must be');
  });

  it('travels from a worker’s engine to its edit and segment tasks, then to the edit’s options', async () => {
    const sent: unknown[] = [];
    const client: Pick<EngineClient, 'run'> = {
      run: (task) => {
        sent.push(task);
        return Promise.resolve(task.kind === 'edit' ? { kind: 'edit', results: [], provider: 'cpu' } : {}) as never;
      },
    };
    const params = editParamsSchema.parse({ prompt: 'a red car', provider: 'cpu' });
    const edit: EditTask = { kind: 'edit', imageBytes: new Uint8Array(), mask: null as never, params, modelsDir: '/m' };
    const segment = { kind: 'segment', provider: 'cpu' } as unknown as SegmentTask;
    const signal = new AbortController().signal;
    const engine = new SerialEngine(client, 2);
    await engine.edit(edit, signal);
    await engine.segment(segment, signal);
    expect(sent).toMatchObject([
      { kind: 'edit', threads: 2 },
      { kind: 'segment', threads: 2 },
    ]);
    await new SerialEngine(client).edit(edit, signal);
    expect(sent[2]).not.toHaveProperty('threads');
    expect(editOptionsOf(params, undefined, 2).threads).toBe(2);
    expect(editOptionsOf(params)).not.toHaveProperty('threads');
  });

  it('becomes the edit’s provider settings (what its sessions are built from), checked before any model loads', async () => {
    const modelsDir = ensureFixtures();
    const prepare = (threads: number) => {
      const options: EditOptions = {
        prompt: 'x',
        sd: 'sd15',
        controlnet: 'controlnet-canny',
        provider: 'cpu',
        threads,
      };
      return prepareModels({ modelsDir, options }, resolveOptions(options));
    };
    const { settings, report: preflight } = await prepare(2);
    expect(settings).toEqual({ default: 'cpu', threads: 2 });
    expect(sessionOptions('cpu', { report: preflight, settings }, 'unet')).toMatchObject({ intraOpNumThreads: 2 });
    await expect(prepare(0)).rejects.toThrow('the thread budget must be a whole number from 1 to 256, not 0');
  });

  it('sets sharp’s concurrency in this process', () => {
    const before = sharp.concurrency();
    try {
      applySharpThreads(1);
      expect(sharp.concurrency()).toBe(1);
      applySharpThreads(undefined);
      expect(sharp.concurrency()).toBe(1);
      expect(() => applySharpThreads(-1)).toThrow('the thread budget must be');
    } finally {
      sharp.concurrency(before);
    }
  });
});
