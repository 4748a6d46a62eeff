/**
 * `models quantize`: the int8 variant of an SD1.5 set (UNet in `weights.pb`, residual UNet in `model.onnx_data`)
 * and of a ControlNet with inline weights. The variant keeps the source's IO, passes the contract check, runs an
 * edit that keeps every pixel outside the region and lands close to the fp32 edit; its receipt records what it was
 * made from; the source's files are never changed; removing it removes only its own folder.
 */
import { createHash } from 'node:crypto';
import { cp, mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeImage } from '../../../main/image/decode';
import { runEdit, type EditResult } from '../../../main/engine/pipeline';
import { loadCatalogs } from '../../../main/models/catalog';
import { checkContract } from '../../../main/models/contract';
import { readOnnxSignature } from '../../../main/models/onnxHeader';
import { readOnnxInventory } from '../../../main/models/onnxInventory';
import { readReceipt } from '../../../main/models/receipt';
import { createMask, type Mask } from '../../../shared/image/types';
import { FIXTURE_FOLDERS as F, ensureFixtures } from '../../fixtures/models/all';
import { runIirHere } from '../../helpers/cli';
import { cacheDir } from '../../setup/global';

const chelsea = join(import.meta.dirname, '..', '..', 'fixtures', 'images', 'chelsea.png');
const sd = F.sd15External;
const cn = F.controlnetIir;
let models: string;

function roi(): Mask {
  const mask = createMask(451, 300);
  for (let y = 90; y < 210; y++) mask.data.fill(255, y * 451 + 150, y * 451 + 300);
  return mask;
}

function edit(sdId: string, cnId: string): Promise<EditResult> {
  return runEdit({
    image: chelsea,
    mask: roi(),
    modelsDir: models,
    options: { prompt: 'a green cat', steps: 3, size: 256, provider: 'cpu', seed: 2, sd: sdId, controlnet: cnId },
  });
}

const sha = async (path: string): Promise<string> =>
  createHash('sha256')
    .update(await readFile(path))
    .digest('hex');

beforeAll(async () => {
  const fixtures = ensureFixtures();
  models = await mkdtemp(join(cacheDir, 'quantize-'));
  for (const folder of [sd, cn, 'grounding-dino'])
    await cp(join(fixtures, folder), join(models, folder), { recursive: true });
});

afterAll(() => rm(models, { recursive: true, force: true }));

describe('models quantize', () => {
  let sourceHashes: Record<string, string>;

  it('writes <id>-int8 with the same IO, int8 weights and a receipt of what it was made from', async () => {
    sourceHashes = {
      unet: await sha(join(models, sd, 'unet', 'weights.pb')),
      cn: await sha(join(models, cn, 'model.onnx')),
    };
    const run = await runIirHere(['models', 'quantize', sd, cn, '--models', models, '--json']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const { variants } = JSON.parse(run.stdout) as { variants: { id: string; params: number }[] };
    expect(variants.map((v) => v.id)).toEqual([`${sd}-int8`, `${cn}-int8`]);
    for (const v of variants) expect(v.params).toBeGreaterThan(0);
    for (const [from, graph] of [
      [sd, 'unet/model.onnx'],
      [sd, 'controlnet/model.onnx'],
      [cn, 'model.onnx'],
    ] as const) {
      const source = join(models, from, graph);
      const variant = join(models, `${from}-int8`, graph);
      expect(await readOnnxSignature(variant)).toEqual(await readOnnxSignature(source));
      const inventory = await readOnnxInventory(variant);
      expect(inventory.opTypes).toContain('DequantizeLinear');
      expect(inventory.externalFiles).toEqual(['model.onnx_data']);
    }
    const receipt = (await readReceipt(join(models, `${sd}-int8`)))!;
    expect(receipt.role).toBe('sd15');
    expect(receipt.source).toMatchObject({ kind: 'derive', from: sd });
    expect(receipt.derived?.from).toBe(sd);
    expect(receipt.derived?.tool).toMatch(/int8/);
    const sourceReceipt = (await readReceipt(join(models, sd)))!;
    const weights = sourceReceipt.files.find((f) => f.path === 'unet/weights.pb')!;
    expect(receipt.derived?.sources).toContainEqual(weights);
    // unchanged files are hard links: no second copy on disk
    const [a, b] = await Promise.all([
      stat(join(models, sd, 'text_encoder', 'model.onnx_data')),
      stat(join(models, `${sd}-int8`, 'text_encoder', 'model.onnx_data')),
    ]);
    expect(b.ino).toBe(a.ino);
    expect((await runIirHere(['models', 'verify', `${sd}-int8`, '--models', models])).code).toBe(0);
    const catalog = await loadCatalogs();
    for (const [id, role] of [
      [sd, 'sd15'],
      [cn, 'controlnet-iir'],
    ] as const) {
      await expect(checkContract(join(models, `${id}-int8`), catalog.roles[role]!, id)).resolves.toBeDefined();
    }
  });

  it('edits with the int8 variant: every pixel outside the region kept, close to the fp32 edit', async () => {
    const fp32 = await edit(sd, cn);
    const int8 = await edit(`${sd}-int8`, `${cn}-int8`);
    const source = (await decodeImage(chelsea)).rgb.data;
    const x = fp32.variations[0]!.rgb.data;
    const y = int8.variations[0]!.rgb.data;
    let outside = 0;
    let inside = 0;
    let max = 0;
    for (let i = 0; i < y.length; i++) {
      const px = Math.floor(i / 3) % 451;
      const py = Math.floor(i / 3 / 451);
      // farther than dilation + feather (8 + 8 px) from the region's rectangle
      const distance = Math.max(150 - px, px - 299, 90 - py, py - 209, 0);
      if (distance > 16 && y[i] !== source[i]) outside++;
      if (distance === 0 && y[i] !== source[i]) inside++;
      max = Math.max(max, Math.abs(x[i]! - y[i]!));
    }
    expect(outside).toBe(0);
    expect(inside).toBeGreaterThan(150 * 120 * 3 * 0.5);
    // Per-channel int8 moves each weight by at most scale/2 (0.4 % of its channel's largest weight), and ORT's
    // MatMulNBits also rounds the activations to int8 per block of 32: through 3 steps of the fixture UNet that
    // is measured at 1 level of 255; 2 leaves room for rounding on other CPUs, while a wrong scale or axis
    // moves the result by tens of levels.
    expect(max).toBeLessThanOrEqual(2);
  });

  it('never changed the source files; removing the variant leaves the source whole', async () => {
    expect(await sha(join(models, sd, 'unet', 'weights.pb'))).toBe(sourceHashes.unet);
    expect(await sha(join(models, cn, 'model.onnx'))).toBe(sourceHashes.cn);
    const removed = await runIirHere(['models', 'rm', `${sd}-int8`, '--models', models]);
    expect(removed.code).toBe(0);
    expect((await runIirHere(['models', 'verify', sd, '--models', models])).code).toBe(0);
  });

  it('refuses, in one line, what it cannot or must not quantize', async () => {
    const cases: [string[], RegExp][] = [
      [['no-such-model'], /model "no-such-model" is not installed/],
      [[`${cn}-int8`], /controlnet-iir-int8 is already an int8 variant \(made from controlnet-iir\)/],
      [[cn], /controlnet-iir-int8 is already installed; remove it first/],
      [['grounding-dino'], /grounding-dino is a grounding model; int8 variants are made of SD1.5 sets and ControlNets/],
    ];
    for (const [args, message] of cases) {
      const run = await runIirHere(['models', 'quantize', ...args, '--models', models]);
      expect(run.code, args[0]).not.toBe(0);
      expect(run.stderr).toMatch(message);
      expect(run.stderr.trim().split('\n')).toHaveLength(1);
    }
  });
});
