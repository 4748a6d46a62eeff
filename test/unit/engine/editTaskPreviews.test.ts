/**
 * Step previews cost a latent projection and a transfer each: an editor's edit gets them (at most every 250 ms and at
 * the end of each variation), a batch photo, which nobody watches, gets none.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { SerialEngine } from '../../../main/batch/engine';
import { editPhoto } from '../../../main/batch/photo';
import type { EngineClient } from '../../../main/engine/process/client';
import { runEditTask, type EditTask } from '../../../main/engine/process/editTask';
import type { EngineProgress } from '../../../main/engine/process/protocol';
import { editParamsSchema } from '../../../shared/api';

const projections = { count: 0 };

vi.mock('../../../main/engine/pipeline', () => ({
  EditEngine: class {
    edit(request: { onProgress: (p: unknown) => void }) {
      for (let i = 1; i <= 10; i++) {
        request.onProgress({
          type: 'step',
          i,
          n: 10,
          preview: () => {
            projections.count++;
            return { width: 1, height: 1, data: new Uint8Array(3) };
          },
        });
      }
      return Promise.resolve({ variations: [], providers: { unet: 'cpu' }, sessionLoads: [] });
    }
  },
}));

const params = editParamsSchema.parse({ prompt: 'a blue box', steps: 10, provider: 'cpu' });
const task: EditTask = { kind: 'edit', imageBytes: new Uint8Array(), mask: null as never, params, modelsDir: '/m' };

async function run(edit: EditTask): Promise<{ steps: number; previews: number }> {
  projections.count = 0;
  const heard: EngineProgress[] = [];
  await runEditTask(edit, { signal: new AbortController().signal, progress: (p) => heard.push(p) });
  const steps = heard.filter((p) => p.type === 'step');
  const previews = steps.filter((p) => 'preview' in p && p.preview !== undefined).length;
  expect(projections.count).toBe(previews);
  return { steps: steps.length, previews };
}

describe('step previews', () => {
  it('are made for an edit someone watches: the first step and the last, and at most every 250 ms between', async () => {
    const { steps, previews } = await run(task);
    expect(steps).toBe(10);
    expect(previews).toBeGreaterThanOrEqual(2);
  });

  it('are not made at all when the task asks for none; every step is still reported', async () => {
    expect(await run({ ...task, previews: false })).toEqual({ steps: 10, previews: 0 });
  });

  const folder = mkdtempSync(join(tmpdir(), 'iir-previews-'));
  afterAll(() => rmSync(folder, { recursive: true, force: true }));

  it('are not asked for by a batch photo', async () => {
    const input = join(folder, 'in.png');
    await sharp({ create: { width: 8, height: 6, channels: 3, background: '#808080' } })
      .png()
      .toFile(input);
    const sent: { kind: string; previews?: boolean }[] = [];
    const rgb = { width: 8, height: 6, data: new Uint8Array(8 * 6 * 3) };
    const client: Pick<EngineClient, 'run'> = {
      run: (t) => {
        sent.push(t);
        const answer =
          t.kind === 'segment'
            ? { kind: 'segment', mask: rgb, instances: [{ boxImagePx: {}, phrase: 'box', score: 0.9 }], bestScore: 0.9 }
            : { kind: 'edit', results: [{ rgb, alpha: null, seed: 1, metadata: {} }], provider: 'cpu' };
        return Promise.resolve(answer) as never;
      },
    };
    const line = await editPhoto(
      {
        input,
        output: join(folder, 'out.png'),
        region: 'box',
        boxThreshold: 0.3,
        textThreshold: 0.25,
        params,
        modelsDir: '/m',
        provider: 'cpu',
        runId: 'r',
        overwrite: false,
      },
      new SerialEngine(client),
      new AbortController().signal,
    );
    expect(line.status).toBe('edited');
    expect(sent.map((t) => [t.kind, t.previews])).toEqual([
      ['segment', undefined],
      ['edit', false],
    ]);
  });
});
