/**
 * `models fuse`: one graph of a split ControlNet and the residual UNet, pointing at the weights where they are
 * (external data files, and the raw data inside an inline model.onnx); the engine then runs it as a fused set with
 * the split result.
 */
import { cp, mkdtemp, rm, stat, utimes } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runEdit, type EditResult } from '../../../main/engine/pipeline';
import { readOnnxParts } from '../../../main/models/onnxParts';
import { createMask, type Mask } from '../../../shared/image/types';
import { FIXTURE_FOLDERS as F, ensureFixtures } from '../../fixtures/models/all';
import { runIirHere } from '../../helpers/cli';
import { cacheDir } from '../../setup/global';

const chelsea = join(import.meta.dirname, '..', '..', 'fixtures', 'images', 'chelsea.png');
let models: string;

function roi(): Mask {
  const mask = createMask(451, 300);
  for (let y = 90; y < 210; y++) mask.data.fill(255, y * 451 + 150, y * 451 + 300);
  return mask;
}

function edit(controlStart = 0): Promise<EditResult> {
  return runEdit({
    image: chelsea,
    mask: roi(),
    modelsDir: models,
    options: {
      prompt: 'a green cat',
      steps: 3,
      size: 256,
      provider: 'cpu',
      seed: 2,
      controlStart,
      sd: F.sd15External,
      controlnet: F.controlnetIir,
    },
  });
}

function maxDifference(a: EditResult, b: EditResult): number {
  const x = a.variations[0]!.rgb.data;
  const y = b.variations[0]!.rgb.data;
  let max = 0;
  for (let i = 0; i < x.length; i++) max = Math.max(max, Math.abs(x[i]! - y[i]!));
  return max;
}

beforeAll(async () => {
  const fixtures = ensureFixtures();
  models = await mkdtemp(join(cacheDir, 'fuse-'));
  // external data (residual UNet in controlnet/model.onnx_data) + a ControlNet with inline weights
  await cp(join(fixtures, F.sd15External), join(models, F.sd15External), { recursive: true });
  await cp(join(fixtures, F.controlnetIir), join(models, F.controlnetIir), { recursive: true });
});

afterAll(() => rm(models, { recursive: true, force: true }));

describe('models fuse', () => {
  it('writes one graph that copies no weights; the engine runs it fused, as the split pair', async () => {
    const split = await edit();
    expect(split.modelSet.form).toBe('split');
    const run = await runIirHere(['models', 'fuse', F.sd15External, F.controlnetIir, '--models', models, '--json']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const { path, bytes } = JSON.parse(run.stdout) as { path: string; bytes: number };
    expect(path).toBe(join(models, `${F.sd15External}+${F.controlnetIir}.fused.onnx`));
    const parts = await readOnnxParts(path);
    const outside = parts.initializers.filter((i) => i.data);
    expect(outside.length).toBeGreaterThan(10);
    const files = new Set(outside.map((i) => i.data!.file));
    expect([...files].sort()).toEqual([
      join(models, F.controlnetIir, 'model.onnx'),
      join(models, F.sd15External, 'controlnet', 'model.onnx_data'),
    ]);
    const weights = outside.reduce((n, i) => n + i.data!.length, 0);
    expect(bytes).toBeLessThan(weights / 4);

    const fused = await edit();
    expect(fused.modelSet.form).toBe('fused');
    expect(fused.modelSet.fusedGraph).toBe(path);
    expect(Object.keys(fused.providers).sort()).toEqual(['text_encoder', 'unet', 'vae_decoder', 'vae_encoder']);
    expect(maxDifference(split, fused)).toBeLessThanOrEqual(1);
    // the guidance window works through the fused graph's conditioning_scale
    expect(maxDifference(await edit(0.5), await edit())).toBeGreaterThan(0);
  });

  it('is set aside when a file it points at changes', async () => {
    const data = join(models, F.controlnetIir, 'model.onnx');
    const info = await stat(data);
    await utimes(data, info.atime, new Date(info.mtimeMs + 5000));
    expect((await edit()).modelSet.form).toBe('split');
  });

  it('refuses models in different folders and non-ControlNets, in one line', async () => {
    const wrong = await runIirHere(['models', 'fuse', F.sd15External, F.sd15External, '--models', models]);
    expect(wrong.code).not.toBe(0);
    expect(wrong.stderr).toMatch(/sd15-external is a sd15 model, not a ControlNet/);
  });
});
