import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { modelSource } from '../../../main/engine/modelSource';
import { withSlicedAttention } from '../../../main/engine/slicedAttention';
import { RealGraph } from '../../fixtures/models/realScale/graph';
import { attention } from '../../fixtures/models/realScale/layers';

/**
 * A transformer block's two attentions as SD1.5's exporters write them (MatMul(q, kᵀ) → Mul → Softmax → MatMul),
 * self-attention over `x` [1, S, 32] and cross-attention over `context` [1, 7, 16], 4 heads, with the weights in
 * an external data file; `shared` adds a second use of the self-attention's weights (not to be rewritten).
 */
function writeBlock(dir: string, options: { mask?: boolean } = {}): string {
  const n = new RealGraph('block');
  const g = n.g;
  const x = g.input('x', 'float', [1, 'S', 32]);
  const context = g.input('context', 'float', [1, 7, 16]);
  const mask = options.mask ? g.input('mask', 'float', [1, 1, 'S', 'S']) : undefined;
  const self = attention(n, x, x, 32, 32, 4, mask);
  const cross = attention(n, self, context, 32, 16, 4);
  g.output(cross, 'out', 'float', [1, 'S', 32]);
  const path = join(dir, 'model.onnx');
  n.write(path);
  return path;
}

function random(length: number, seed: number): Float32Array {
  let s = seed;
  return Float32Array.from({ length }, () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32) * 2 - 1);
}

async function run(session: ort.InferenceSession, rows: number): Promise<Float32Array> {
  const feeds = {
    x: new ort.Tensor('float32', random(rows * 32, 1), [1, rows, 32]),
    context: new ort.Tensor('float32', random(7 * 16, 2), [1, 7, 16]),
  };
  const out = await session.run(feeds);
  return out.out!.data as Float32Array;
}

describe('attention in query slices', () => {
  const dir = mkdtempSync(join(tmpdir(), 'iir-sliced-'));
  const path = writeBlock(dir);

  it('rewrites both attentions and gives the same outputs at any length, weights read from the model folder', async () => {
    const { bytes, sliced } = withSlicedAttention(readFileSync(path), 4);
    expect(sliced).toBe(2);
    const whole = await ort.InferenceSession.create(path);
    const parts = await ort.InferenceSession.create(bytes, {
      extra: { session: { model_external_initializers_file_folder_path: dir } },
    });
    for (const rows of [64, 37, 3]) {
      const expected = await run(whole, rows);
      const actual = await run(parts, rows);
      expect(actual.length).toBe(expected.length);
      let worst = 0;
      for (let i = 0; i < expected.length; i++) worst = Math.max(worst, Math.abs(actual[i]! - expected[i]!));
      expect(worst).toBeLessThan(1e-6);
    }
    await whole.release();
    await parts.release();
  });

  it('leaves attention with an added mask as it is (the mask spans every query row)', () => {
    const masked = writeBlock(mkdtempSync(join(tmpdir(), 'iir-sliced-mask-')), { mask: true });
    expect(withSlicedAttention(readFileSync(masked), 4).sliced).toBe(1); // the cross-attention only
  });

  it('is off for one slice, and for roles other than the UNet and the ControlNet', async () => {
    expect(withSlicedAttention(readFileSync(path), 1).sliced).toBe(0);
    expect((await modelSource(path, 'vae_decoder', 4)).source).toBe(path);
    expect((await modelSource(path, 'unet', 1)).source).toBe(path);
    const source = await modelSource(path, 'unet', 4);
    expect(source.source).toBeInstanceOf(Uint8Array);
    expect(source.weightsFolder).toBe(dir);
    expect(source.deterministic).toBe(true);
    expect(source.notes).toEqual(['unet attention ran in 4 query slices to save memory (equal to float rounding)']);
  });
});

describe('a graph that samples, with its weights in an external file', () => {
  it('runs at its mean from memory, its weights read from the model folder: the same output every time', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'iir-sampling-'));
    const n = new RealGraph('sampling');
    const x = n.g.input('x', 'float', [1, 8]);
    const mean = n.g.op('MatMul', [x, n.param([8, 8])]);
    n.g.output(n.g.op('Add', [mean, n.g.op('RandomNormalLike', [mean])]), 'out', 'float', [1, 8]);
    const path = join(dir, 'model.onnx');
    n.write(path);
    const source = await modelSource(path, 'vae_encoder');
    expect(source).toMatchObject({ deterministic: true, weightsFolder: dir });
    expect(source.notes.join(' ')).toMatch(/the distribution's mean is used/);
    const session = await ort.InferenceSession.create(source.source as Uint8Array, {
      extra: { session: { model_external_initializers_file_folder_path: dir } },
    });
    const feeds = { x: new ort.Tensor('float32', random(8, 3), [1, 8]) };
    const first = (await session.run(feeds)).out!.data as Float32Array;
    const second = (await session.run(feeds)).out!.data as Float32Array;
    expect([...second]).toEqual([...first]);
    await session.release();
  });
});
