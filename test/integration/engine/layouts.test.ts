/**
 * Every real export layout runs, or fails with a model error that names the file, the input and the shape: diffusers'
 * fused UNet + ControlNet (`noise_pred`, `conditioning_scales` [N,1]), a VAE encoder that samples inside its graph,
 * weights in external data files (hashed into the recipe), and provider advice only when `auto` was asked for.
 */
import { cp, mkdtemp, mkdir, rm, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { EditEngine, runEdit, type EditOptions, type EditResult } from '../../../main/engine/pipeline';
import { preflight } from '../../../main/engine/providers';
import { isIirError } from '../../../shared/errors';
import { createMask, type Mask } from '../../../shared/image/types';
import { builtinCatalogPath, loadCatalog } from '../../../main/models/catalog';
import { importModel } from '../../../main/models/manage';
import { FIXTURE_FOLDERS as F, ensureFixtures } from '../../fixtures/models/all';
import { writeOnnxModel } from '../../fixtures/models/onnx';
import { unetGraph } from '../../fixtures/models/sdGraphs';
import { isRealModel } from '../../real/realSets';
import { cacheDir } from '../../setup/global';

const chelsea = join(import.meta.dirname, '..', '..', 'fixtures', 'images', 'chelsea.png');
let models: string;

function roi(): Mask {
  const mask = createMask(451, 300);
  for (let y = 90; y < 210; y++) mask.data.fill(255, y * 451 + 150, y * 451 + 300);
  return mask;
}

const fast: EditOptions = { prompt: 'a green cat', steps: 3, size: 256, provider: 'cpu' };

function edit(options: Partial<EditOptions>, modelsDir = models): Promise<EditResult> {
  return runEdit({
    image: chelsea,
    mask: roi(),
    modelsDir,
    options: { ...fast, ...options },
    hashCachePath: join(cacheDir, 'layout-hashes.json'),
  });
}

const same = (a: EditResult, b: EditResult): boolean =>
  Buffer.from(a.variations[0]!.rgb.data).equals(Buffer.from(b.variations[0]!.rgb.data));

beforeAll(() => {
  models = ensureFixtures();
});

describe("diffusers' fused UNet + ControlNet export", () => {
  it('runs with its noise_pred output and [N,1] conditioning_scales, and the scale matters', async () => {
    const result = await edit({ sd: F.sd15FusedDiffusers, seed: 5 });
    expect(result.modelSet.form).toBe('fused');
    expect(result.modelSet.engine).toBe('iir-training-free');
    expect(same(result, await edit({ sd: F.sd15FusedDiffusers, seed: 5, controlScale: 0 }))).toBe(false);
  });

  it('imports without a receipt: the sd15 contract accepts noise_pred', async () => {
    const catalog = await loadCatalog(builtinCatalogPath());
    await mkdir(join(cacheDir, 'models'), { recursive: true });
    const work = await mkdtemp(join(cacheDir, 'models', 'layout-'));
    const source = join(work, 'src');
    await cp(join(models, F.sd15FusedDiffusers), source, { recursive: true });
    await rm(join(source, 'model.json'));
    const receipt = await importModel({ modelsDir: join(work, 'models'), source, id: 'fused', mode: 'copy', catalog });
    expect(receipt.role).toBe('sd15');
    await rm(work, { recursive: true, force: true });
  });

  it('reports a shape the model cannot take as a model error naming file, input and declared shape', async () => {
    // diffusers' script marks dims 1–3 of controlnet_conds dynamic, leaving the image width fixed at 512
    const dir = await mkdtemp(join(cacheDir, 'fused-fixed-'));
    const sd = join(dir, 'sd');
    await cp(join(models, F.sd15FusedDiffusers), sd, { recursive: true });
    const control = { kind: 'fused', channels: 3, scales: 'n1', condsShape: ['n', '2B', 'H', 'W', 512] } as const;
    writeOnnxModel(join(sd, 'unet', 'model.onnx'), unetGraph({ control, output: 'noise_pred' }));
    const error: unknown = await edit({ sd }).catch((e: unknown) => e);
    expect(isIirError(error) && error.code).toBe('model_missing');
    const message = (error as Error).message;
    expect(message).toContain(join(sd, 'unet', 'model.onnx'));
    expect(message).toMatch(
      /input "controlnet_conds" is declared \[n,2B,H,W,512\] float32 but was fed \[1,2,3,256,\d+\]/,
    );
    expect(message).not.toMatch(/\n/);
    await rm(dir, { recursive: true, force: true });
  });
});

describe('a VAE encoder that samples inside its graph (RandomNormalLike)', () => {
  it('gives the same bytes for the same seed, and the recipe says how', async () => {
    const options = { ...fast, sd: F.sd15VaeSampling, controlnet: F.controlnetCanny, seed: 9, noise: 0.7 };
    // one engine, as the app keeps it: ONNX Runtime's generator runs on from edit to edit in a kept session
    const engine = new EditEngine();
    const a = await engine.edit({ image: chelsea, mask: roi(), modelsDir: models, options });
    const b = await engine.edit({ image: chelsea, mask: roi(), modelsDir: models, options });
    await engine.dispose();
    expect(same(a, b)).toBe(true);
    const reproducible = a.variations[0]!.recipe.reproducible;
    expect(reproducible?.exact).toBe(true);
    expect(reproducible?.notes.join(' ')).toMatch(/vae_encoder samples inside its graph \(RandomNormalLike\)/);
    expect(same(a, await edit({ ...options, seed: 10 }))).toBe(false);
  });

  it('a plain export says it is reproducible with no notes', async () => {
    const result = await edit({ sd: F.sd15, controlnet: F.controlnetCanny });
    expect(result.variations[0]!.recipe.reproducible).toEqual({ exact: true, notes: [] });
  });
});

describe('weights in external data files', () => {
  it('the recipe hashes every file each graph loads', async () => {
    const result = await edit({ sd: F.sd15External, controlnet: F.controlnetIirInt64External });
    const { models: records } = result.variations[0]!.recipe;
    expect(Object.keys(records.sd.files).sort()).toEqual([
      'controlnet/model.onnx',
      'controlnet/model.onnx_data',
      'text_encoder/model.onnx',
      'text_encoder/model.onnx_data',
      // the split form's UNet is the residual UNet in controlnet/; the fixture VAE's weights are all inline
      'vae_decoder/model.onnx',
      'vae_encoder/model.onnx',
    ]);
    expect(Object.keys(records.controlnet!.files).sort()).toEqual(['model.onnx', 'model.onnx_data']);
  });

  it('test:real sizes a set by all its files, not the graph file alone', async () => {
    const dir = await mkdtemp(join(cacheDir, 'real-size-'));
    await mkdir(join(dir, 'controlnet'));
    await writeFile(join(dir, 'controlnet', 'model.onnx'), Buffer.alloc(760_000));
    expect(isRealModel(dir, 'controlnet')).toBe(false);
    await writeFile(join(dir, 'controlnet', 'model.onnx_data'), '');
    await truncate(join(dir, 'controlnet', 'model.onnx_data'), 1_400_000_000); // sparse: no disk used
    expect(isRealModel(dir, 'controlnet')).toBe(true);
    expect(isRealModel(dir)).toBe(true);
    await rm(dir, { recursive: true, force: true });
  });
});

describe('provider advice', () => {
  it('warns about faster providers only when the provider is auto', async () => {
    const { notes } = await preflight();
    const pinned = await edit({ sd: F.sd15, controlnet: F.controlnetIir, provider: 'cpu' });
    expect(pinned.warnings.filter((w) => notes.includes(w) || /CUDA/.test(w))).toEqual([]);
    const auto = await edit({ sd: F.sd15, controlnet: F.controlnetIir, provider: 'auto' });
    for (const note of notes) expect(auto.warnings).toContain(note);
  });
});
