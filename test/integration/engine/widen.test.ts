/**
 * `models widen`: the fp32 variant of the fp16 fixture set (float16 IO and timestep in all five graphs, residual
 * UNet) and of the fp16 IIR ControlNet. The variants keep their IO names and ranks with float32 types, pass their
 * role's contract check, run an edit that keeps every pixel outside the region and lands within fp16's rounding
 * of the fp16 edit, and can be quantized in turn; the source's files are never changed; refusals are one line.
 */
import { createHash } from 'node:crypto';
import { cp, mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeImage } from '../../../main/image/decode';
import { runEdit, type EditResult } from '../../../main/engine/pipeline';
import { builtinCatalogPath, loadCatalog } from '../../../main/models/catalog';
import { checkContract } from '../../../main/models/contract';
import { readOnnxSignature, type OnnxSignature } from '../../../main/models/onnxHeader';
import { readReceipt } from '../../../main/models/receipt';
import { createMask, type Mask } from '../../../shared/image/types';
import { FIXTURE_FOLDERS as F, ensureFixtures } from '../../fixtures/models/all';
import { runIirHere } from '../../helpers/cli';
import { cacheDir } from '../../setup/global';

const chelsea = join(import.meta.dirname, '..', '..', 'fixtures', 'images', 'chelsea.png');
const sd = F.sd15Fp16;
const cn = F.controlnetIirFp16;
const graphs = [
  'text_encoder/model.onnx',
  'unet/model.onnx',
  'controlnet/model.onnx',
  'vae_encoder/model.onnx',
  'vae_decoder/model.onnx',
];
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

/** Names, ranks and types of a graph's inputs and outputs, with float16 read as float32. */
const widenedSignature = (s: OnnxSignature) =>
  [...s.inputs, ...s.outputs].map((t) => ({
    name: t.name,
    rank: t.shape?.length,
    type: t.type === 'float16' ? 'float32' : t.type,
  }));

beforeAll(async () => {
  const fixtures = ensureFixtures();
  models = await mkdtemp(join(cacheDir, 'widen-'));
  for (const folder of [sd, cn, F.sd15, 'grounding-dino'])
    await cp(join(fixtures, folder), join(models, folder), { recursive: true });
});

afterAll(() => rm(models, { recursive: true, force: true }));

describe('models widen', () => {
  let sourceHashes: string[];

  it('writes <id>-fp32: the same IO names and ranks in float32, the contract kept, a receipt', async () => {
    sourceHashes = await Promise.all(graphs.map((g) => sha(join(models, sd, g))));
    const run = await runIirHere(['models', 'widen', sd, cn, '--models', models, '--json']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const { variants } = JSON.parse(run.stdout) as { variants: { id: string }[] };
    expect(variants.map((v) => v.id)).toEqual([`${sd}-fp32`, `${cn}-fp32`]);
    for (const [from, graph] of [...graphs.map((g) => [sd, g] as const), [cn, 'model.onnx'] as const]) {
      const source = await readOnnxSignature(join(models, from, graph));
      const variant = await readOnnxSignature(join(models, `${from}-fp32`, graph));
      expect([...source.inputs, ...source.outputs].some((t) => t.type === 'float16')).toBe(true);
      expect([...variant.inputs, ...variant.outputs].some((t) => t.type === 'float16')).toBe(false);
      expect(widenedSignature(variant)).toEqual(widenedSignature(source));
    }
    const catalog = await loadCatalog(builtinCatalogPath());
    await checkContract(join(models, `${sd}-fp32`), catalog.roles.sd15!, `${sd}-fp32`);
    await checkContract(join(models, `${cn}-fp32`), catalog.roles['controlnet-iir']!, `${cn}-fp32`);
    const receipt = (await readReceipt(join(models, `${sd}-fp32`)))!;
    expect(receipt).toMatchObject({ role: 'sd15', source: { kind: 'derive', from: sd } });
    expect(receipt.derived).toMatchObject({ from: sd, method: 'fp32-widen' });
    // unchanged files (the tokenizer, the scheduler) are hard links: no second copy on disk
    const [a, b] = await Promise.all([
      stat(join(models, sd, 'tokenizer', 'vocab.json')),
      stat(join(models, `${sd}-fp32`, 'tokenizer', 'vocab.json')),
    ]);
    expect(b.ino).toBe(a.ino);
    expect((await runIirHere(['models', 'verify', `${sd}-fp32`, '--models', models])).code).toBe(0);
  });

  it('edits with the fp32 variant: every pixel outside the region kept, within fp16 rounding of the fp16 edit', async () => {
    const fp16 = await edit(sd, cn);
    const fp32 = await edit(`${sd}-fp32`, `${cn}-fp32`);
    const source = (await decodeImage(chelsea)).rgb.data;
    const x = fp16.variations[0]!.rgb.data;
    const y = fp32.variations[0]!.rgb.data;
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
    // The fp16 set rounds its IO (latents, residuals, text states) to fp16 at every graph boundary; the fp32
    // variant does not. Through 3 steps of the fixture set that is measured at 2 levels of 255; 3 leaves room for
    // rounding on other CPUs, while a wrong conversion of a weight or a value moves the result by tens of levels.
    expect(max).toBeGreaterThan(0);
    expect(max).toBeLessThanOrEqual(3);
  });

  it('makes a variant that models quantize takes (widen, then quantize)', async () => {
    const run = await runIirHere(['models', 'quantize', `${sd}-fp32`, '--models', models, '--json']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const receipt = (await readReceipt(join(models, `${sd}-fp32-int8`)))!;
    expect(receipt.derived).toMatchObject({ from: `${sd}-fp32`, method: 'int8-weight-only' });
    const result = await edit(`${sd}-fp32-int8`, `${cn}-fp32`);
    expect(result.variations[0]!.rgb.width).toBe(451);
  });

  it('never changed the source files', async () => {
    expect(await Promise.all(graphs.map((g) => sha(join(models, sd, g))))).toEqual(sourceHashes);
    expect((await runIirHere(['models', 'verify', sd, '--models', models])).code).toBe(0);
  });

  it('refuses, in one line, what it cannot or must not widen', async () => {
    const cases: [string[], RegExp][] = [
      [[], /^iir: widen takes the fp16 models to make fp32 variants of/],
      [['no-such-model'], /model "no-such-model" is not installed/],
      [[F.sd15], /sd15 has no float16 weights or values; it needs no fp32 variant/],
      [[`${cn}-fp32`], /controlnet-iir-fp16-fp32 is already an fp32 variant \(made from controlnet-iir-fp16\)/],
      [[cn], /controlnet-iir-fp16-fp32 is already installed; remove it first/],
    ];
    for (const [args, message] of cases) {
      const run = await runIirHere(['models', 'widen', ...args, '--models', models]);
      expect(run.code, args[0]).not.toBe(0);
      expect(run.stderr).toMatch(message);
      expect(run.stderr.trim().split('\n')).toHaveLength(1);
    }
  });
});
