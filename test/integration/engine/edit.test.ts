import { join } from 'node:path';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { EditEngine, runEdit, type EditOptions, type EditResult } from '../../../main/engine/pipeline';
import { readRecipe } from '../../../main/engine/recipe';
import { decodeImage } from '../../../main/image/decode';
import { encodeImage } from '../../../main/image/encode';
import { writeFileAtomic } from '../../../main/image/writeFile';
import { CancelledError } from '../../../shared/errors';
import { createMask, type Mask, type RgbImage } from '../../../shared/image/types';
import { ensureFixtures } from '../../fixtures/models/all';
import { cacheDir } from '../../setup/global';

const photos = join(import.meta.dirname, '..', '..', 'fixtures', 'images');
const chelsea = join(photos, 'chelsea.png');
let models: string;
let image: RgbImage;

/** A rectangle RoI on the 451×300 cat photo. */
/** The RoI of most tests, in imagePx (x1, y1 exclusive). */
const roiRect = { x0: 150, y0: 90, x1: 300, y1: 210 };

function roi(width = 451, height = 300, rect = roiRect): Mask {
  const mask = createMask(width, height);
  for (let y = rect.y0; y < rect.y1; y++) mask.data.fill(255, y * width + rect.x0, y * width + rect.x1);
  return mask;
}

const fast: EditOptions = { prompt: 'a green cat', steps: 3, size: 256, provider: 'cpu', sd: 'sd15' };

function edit(options: Partial<EditOptions>, mask = roi(), signal?: AbortSignal): Promise<EditResult> {
  return runEdit({
    image: chelsea,
    mask,
    modelsDir: models,
    options: { ...fast, ...options },
    hashCachePath: join(cacheDir, 'engine-hashes.json'),
    ...(signal ? { signal } : {}),
  });
}

/** Asserts the exact-pixels guarantee and that the RoI actually changed. */
/**
 * Every pixel farther than dilate + feather (imagePx, Chebyshev) from the RoI rectangle is bit-identical to the
 * original, and most of the RoI changed. The bound is the geometry of the request, independent of the production
 * composite mask: dilation grows by at most `dilatePx`, the feather ramp spans at most `featherPx`.
 */
function checkComposite(result: EditResult, options: Partial<EditOptions> = {}): void {
  const out = result.variations[0]!.rgb;
  expect(out.width).toBe(image.width);
  expect(out.height).toBe(image.height);
  const reach = (options.dilatePx ?? 8) + (options.featherPx ?? 8);
  const { x0, y0, x1, y1 } = roiRect;
  let outsideDiffers = 0;
  let insideChanged = 0;
  for (let y = 0; y < out.height; y++) {
    for (let x = 0; x < out.width; x++) {
      const i = y * out.width + x;
      const same =
        out.data[3 * i] === image.data[3 * i] &&
        out.data[3 * i + 1] === image.data[3 * i + 1] &&
        out.data[3 * i + 2] === image.data[3 * i + 2];
      const distance = Math.max(x0 - x, x - (x1 - 1), y0 - y, y - (y1 - 1), 0);
      if (distance > reach && !same) outsideDiffers++;
      if (distance === 0 && !same) insideChanged++;
    }
  }
  expect(outsideDiffers).toBe(0);
  expect(insideChanged).toBeGreaterThan((x1 - x0) * (y1 - y0) * 0.5);
}

function bytesEqual(a: RgbImage, b: RgbImage): boolean {
  return Buffer.from(a.data).equals(Buffer.from(b.data));
}

beforeAll(async () => {
  models = ensureFixtures();
  image = (await decodeImage(chelsea)).rgb;
});

describe('IIR edit with fixture models', () => {
  it('runs the trained engine (4-channel split ControlNet) and keeps every pixel outside the mask', async () => {
    const result = await edit({ controlnet: 'controlnet-iir' });
    expect(result.modelSet.engine).toBe('iir-trained');
    const { recipe } = result.variations[0]!;
    expect(recipe.params.strength).toBe(1);
    expect(recipe.providers).toEqual({
      text_encoder: 'cpu',
      controlnet: 'cpu',
      unet: 'cpu',
      vae_encoder: 'cpu',
      vae_decoder: 'cpu',
    });
    checkComposite(result);
  });

  it('runs the training-free engine (3-channel ControlNet) from VAE(IIR image) at strength', async () => {
    const result = await edit({ controlnet: 'controlnet-canny', dilatePx: 4, featherPx: 12 });
    expect(result.modelSet.engine).toBe('iir-training-free');
    expect(result.variations[0]!.recipe.params.strength).toBe(0.75);
    checkComposite(result, { dilatePx: 4, featherPx: 12 });
  });

  it.each(['ddim', 'euler', 'euler-a', 'dpmpp-2m'])('runs the %s scheduler', async (scheduler) => {
    const result = await edit({ controlnet: 'controlnet-iir', scheduler });
    expect(result.variations[0]!.recipe.timesteps).toHaveLength(3);
    checkComposite(result);
  });

  it('runs an LCM set with its guidance embedding and no unconditional pass', async () => {
    const result = await edit({ sd: 'lcm', controlnet: 'controlnet-iir', scheduler: 'lcm', guidance: 8 });
    expect(result.modelSet.isLcm).toBe(true);
    expect(result.variations[0]!.recipe.timesteps).toEqual([999, 679, 339]);
    checkComposite(result);
  });

  it.each([
    ['sd15-fp16', 'controlnet-iir-fp16'],
    ['sd15', 'controlnet-iir-fp16'],
    ['sd15-int64-scalar', 'controlnet-iir-int64-external'],
    ['sd15-external', 'controlnet-canny'],
  ])('adapts to the IO of %s + %s', async (sd, controlnet) => {
    checkComposite(await edit({ sd, controlnet }));
  });

  it.each(['sd15-fused-iir', 'sd15-fused-canny'])('runs the fused UNet+ControlNet %s', async (sd) => {
    const result = await edit({ sd });
    expect(result.modelSet.form).toBe('fused');
    expect(result.variations[0]!.recipe.models.controlnet).toBeNull();
    checkComposite(result);
  });

  it('is deterministic per seed, and seeds, prompts and the IIR noise all change the result', async () => {
    const base = { controlnet: 'controlnet-iir', seed: 7 };
    const a = (await edit(base)).variations[0]!.rgb;
    const b = (await edit(base)).variations[0]!.rgb;
    expect(bytesEqual(a, b)).toBe(true);
    expect(bytesEqual(a, (await edit({ ...base, seed: 8 })).variations[0]!.rgb)).toBe(false);
    expect(bytesEqual(a, (await edit({ ...base, prompt: 'a red cat' })).variations[0]!.rgb)).toBe(false);
    expect(bytesEqual(a, (await edit({ ...base, noise: 0.9 })).variations[0]!.rgb)).toBe(false);
    const uncontrolled = (await edit({ ...base, controlScale: 0 })).variations[0]!.rgb;
    expect(bytesEqual(a, uncontrolled)).toBe(false);
    // a guidance window that starts half-way uses the ControlNet on some steps only: unlike both of the above
    const window = (await edit({ ...base, controlStart: 0.5 })).variations[0]!.rgb;
    expect(bytesEqual(a, window)).toBe(false);
    expect(bytesEqual(uncontrolled, window)).toBe(false);
    // guidance 1 skips the unconditional pass (B = 1) and gives another result
    expect(bytesEqual(a, (await edit({ ...base, guidance: 1 })).variations[0]!.rgb)).toBe(false);
  });

  it('feeds the model the IIR settings the preview shows: noise scope and Canny thresholds', async () => {
    const base = { controlnet: 'controlnet-canny', seed: 3, noise: 0.6 };
    const plain = await edit(base);
    expect(plain.variations[0]!.recipe.params).toMatchObject({ noiseScope: 'roi', cannyLow: 100, cannyHigh: 200 });
    // the training-free engine's control is the edge map alone: other thresholds, another control, another result
    const edges = await edit({ ...base, cannyLow: 20, cannyHigh: 60 });
    expect(edges.variations[0]!.recipe.params).toMatchObject({ cannyLow: 20, cannyHigh: 60 });
    expect(bytesEqual(plain.variations[0]!.rgb, edges.variations[0]!.rgb)).toBe(false);
    checkComposite(edges);
    // noise over the whole image changes the latents it starts from, and still no pixel outside the RoI
    const scene = await edit({ ...base, noiseScope: 'image' });
    expect(scene.variations[0]!.recipe.params.noiseScope).toBe('image');
    expect(bytesEqual(plain.variations[0]!.rgb, scene.variations[0]!.rgb)).toBe(false);
    checkComposite(scene);
    await expect(edit({ ...base, cannyLow: 300, cannyHigh: 200 })).rejects.toThrow(
      'the Canny low threshold must not exceed the high one',
    );
  });

  it('makes variations with consecutive seeds, the first equal to a single edit with that seed', async () => {
    const many = await edit({ controlnet: 'controlnet-iir', seed: 41, variations: 2 });
    expect(many.variations.map((v) => v.seed)).toEqual([41, 42]);
    const single = await edit({ controlnet: 'controlnet-iir', seed: 42 });
    expect(bytesEqual(many.variations[1]!.rgb, single.variations[0]!.rgb)).toBe(true);
    // the training-free engine starts each variation from VAE(its own IIR image)
    const free = await edit({ controlnet: 'controlnet-canny', seed: 41, variations: 2, noise: 0.7 });
    const freeSingle = await edit({ controlnet: 'controlnet-canny', seed: 42, noise: 0.7 });
    expect(bytesEqual(free.variations[1]!.rgb, freeSingle.variations[0]!.rgb)).toBe(true);
    expect(bytesEqual(free.variations[0]!.rgb, free.variations[1]!.rgb)).toBe(false);
  });

  it('gives the same picture in low-memory mode (within 1/255) and holds no session after the edit', async () => {
    const engine = new EditEngine();
    const normal = await edit({ controlnet: 'controlnet-iir', seed: 3 });
    const low = await engine.edit({
      image: chelsea,
      mask: roi(),
      modelsDir: models,
      options: { ...fast, controlnet: 'controlnet-iir', seed: 3, lowMemory: true },
    });
    expect(engine.loadedRoles()).toEqual([]);
    expect(low.variations[0]!.recipe.params.lowMemory).toBe(true);
    const controller = new AbortController();
    const cancelled = engine.edit({
      image: chelsea,
      mask: roi(),
      modelsDir: models,
      options: { ...fast, controlnet: 'controlnet-iir', lowMemory: true },
      signal: controller.signal,
      onProgress: (p) => {
        if (p.type === 'step') controller.abort();
      },
    });
    await expect(cancelled).rejects.toBeInstanceOf(CancelledError);
    expect(engine.loadedRoles()).toEqual([]);
    // low-memory runs the CFG batch as two B = 1 passes: float sums in another order, at most 1/255 apart
    const a = normal.variations[0]!.rgb.data;
    const b = low.variations[0]!.rgb.data;
    expect(a.reduce((max, v, i) => Math.max(max, Math.abs(v - b[i]!)), 0)).toBeLessThanOrEqual(1);
    await engine.dispose();
  });

  it('stops between steps when cancelled and reports progress with a preview', async () => {
    const controller = new AbortController();
    const steps: number[] = [];
    const attempt = runEdit({
      image: chelsea,
      mask: roi(),
      modelsDir: models,
      options: { ...fast, controlnet: 'controlnet-iir', steps: 10 },
      signal: controller.signal,
      onProgress: (p) => {
        if (p.type !== 'step') return;
        steps.push(p.i);
        const preview = p.preview();
        expect(preview.width).toBe(Math.round((256 * (451 / 300)) / 64) * 8);
        expect(preview.height).toBe(32);
        expect(p.n).toBe(10);
        if (p.i === 2) controller.abort();
      },
    });
    await expect(attempt).rejects.toBeInstanceOf(CancelledError);
    expect(steps).toEqual([1, 2]);
  });

  it('writes the recipe into the output file and reads it back', async () => {
    const result = await edit({ controlnet: 'controlnet-iir', seed: 11, negativePrompt: 'blurry' });
    const v = result.variations[0]!;
    const path = join(cacheDir, 'engine-recipe.png');
    await writeFileAtomic(path, await encodeImage(v.rgb, v.alpha, { format: 'png', metadata: v.metadata }));
    const back = await readRecipe(path);
    expect(back).toEqual(v.recipe);
    expect(back.seed).toBe(11);
    expect(back.negativePrompt).toBe('blurry');
    expect(back.models.sd.files['controlnet/model.onnx']).toMatch(/^[0-9a-f]{64}$/);
    expect(Object.keys(back.models.controlnet?.files ?? {})).toEqual(['model.onnx']);
    expect(back.app.version).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('restores the alpha channel of the input', async () => {
    const alpha = Buffer.alloc(451 * 300);
    for (let i = 0; i < alpha.length; i++) alpha[i] = i % 251;
    const rgba = Buffer.alloc(451 * 300 * 4);
    for (let i = 0; i < 451 * 300; i++) {
      rgba.set(image.data.subarray(3 * i, 3 * i + 3), 4 * i);
      rgba[4 * i + 3] = alpha[i]!;
    }
    const png = await sharp(rgba, { raw: { width: 451, height: 300, channels: 4 } })
      .png()
      .toBuffer();
    const result = await runEdit({
      image: new Uint8Array(png),
      mask: roi(),
      modelsDir: models,
      options: { ...fast, controlnet: 'controlnet-iir' },
    });
    expect(Buffer.from(result.variations[0]!.alpha!.data).equals(alpha)).toBe(true);
  });

  it('works in focus mode and leaves everything outside the crop untouched', async () => {
    const mask = roi(451, 300, { x0: 200, y0: 120, x1: 260, y1: 170 });
    const result = await edit({ controlnet: 'controlnet-iir', focus: true }, mask);
    const { sourcePx } = result.variations[0]!.recipe.workingFrame;
    expect(sourcePx.x1 - sourcePx.x0).toBeLessThan(451);
    const out = result.variations[0]!.rgb;
    let changedOutsideCrop = 0;
    for (let y = 0; y < 300; y++) {
      for (let x = 0; x < 451; x++) {
        if (x >= sourcePx.x0 && x < sourcePx.x1 && y >= sourcePx.y0 && y < sourcePx.y1) continue;
        const p = 3 * (y * 451 + x);
        if (out.data[p] !== image.data[p] || out.data[p + 1] !== image.data[p + 1]) changedOutsideCrop++;
      }
    }
    expect(changedOutsideCrop).toBe(0);
  });

  it('rejects bad input with one-line errors', async () => {
    await expect(edit({}, createMask(451, 300))).rejects.toThrow('the mask is empty: nothing to edit');
    await expect(edit({}, createMask(100, 100))).rejects.toThrow(/the mask is 100×100 but the image is 451×300/);
    await expect(edit({ scheduler: 'plms' })).rejects.toThrow(/unknown scheduler "plms"/);
    await expect(edit({ steps: 0 })).rejects.toThrow(/steps must be an integer from 1 to 150, got 0/);
    await expect(edit({ guidance: 50 })).rejects.toThrow(/guidance must be a number from 1 to 30/);
    await expect(edit({ controlStart: 0.8, controlEnd: 0.2 })).rejects.toThrow(/must not exceed control end/);
    await expect(edit({ controlnet: 'controlnet-missing' })).rejects.toThrow(/models pull controlnet-missing/);
  });
});
