import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { locateModelSet } from '../../../main/engine/modelSet';
import { preflight } from '../../../main/engine/providers';
import { createSession } from '../../../main/engine/sessions';
import { encodeText, loadTokenizer, tokenize } from '../../../main/engine/text';
import { ensureFixtures } from '../../fixtures/models/all';
import { cacheDir } from '../../setup/global';

let models: string;

function maxDiff(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i]! - b[i]!));
  return max;
}

beforeAll(() => {
  models = ensureFixtures();
});

describe('model sets', () => {
  it('selects the trained IIR engine for a 4-channel split ControlNet', async () => {
    const set = await locateModelSet({ modelsDir: models, sd: join(models, 'sd15'), controlnet: 'controlnet-iir' });
    expect(set.form).toBe('split');
    expect(set.engine).toBe('iir-trained');
    expect(set.controlChannels).toBe(4);
    expect(set.files.unet).toBe(join(models, 'sd15', 'controlnet', 'model.onnx'));
    expect(set.files.controlnet).toBe(join(models, 'controlnet-iir', 'model.onnx'));
  });

  it('selects the training-free engine for a 3-channel ControlNet and by default prefers an IIR one', async () => {
    const canny = await locateModelSet({ modelsDir: models, sd: 'sd15', controlnet: 'controlnet-canny' });
    expect(canny.engine).toBe('iir-training-free');
    const byDefault = await locateModelSet({ modelsDir: models, sd: 'sd15' });
    expect(byDefault.controlnet?.id).toMatch(/^controlnet-iir/);
  });

  it('detects a fused UNet+ControlNet and its channels', async () => {
    const fused = await locateModelSet({ modelsDir: models, sd: 'sd15-fused-canny' });
    expect(fused.form).toBe('fused');
    expect(fused.engine).toBe('iir-training-free');
    expect(fused.files.controlnet).toBeUndefined();
    expect((await locateModelSet({ modelsDir: models, sd: 'sd15-fused-iir' })).controlChannels).toBe(4);
    expect((await locateModelSet({ modelsDir: models, sd: 'lcm', controlnet: 'controlnet-iir' })).isLcm).toBe(true);
  });

  it('names a missing file and how to get it, in one line', async () => {
    const dir = mkdtempSync(join(cacheDir, 'broken-sd-'));
    cpSync(join(models, 'sd15'), dir, { recursive: true });
    rmSync(join(dir, 'vae_decoder'), { recursive: true });
    const attempt = locateModelSet({ modelsDir: models, sd: dir, controlnet: 'controlnet-canny' });
    await expect(attempt).rejects.toThrow(
      /^missing model file .*vae_decoder[\\/]model\.onnx \(get it with: npm run iir -- models pull/,
    );
    await expect(locateModelSet({ modelsDir: models, sd: 'sd15', controlnet: 'nope' })).rejects.toThrow(
      /model "nope" is not installed .*models pull nope/,
    );
  });
});

describe('text conditioning', () => {
  it('pads to 77, warns on truncation and puts the negative prompt first', async () => {
    const tokenizer = await loadTokenizer(join(models, 'sd15', 'tokenizer'));
    const short = tokenize(tokenizer, 'a green airplane');
    expect(short.ids).toHaveLength(77);
    expect(short.isTruncated).toBe(false);
    expect(tokenize(tokenizer, 'green '.repeat(90)).isTruncated).toBe(true);

    const report = await preflight();
    for (const sd of ['sd15', 'sd15-int64-scalar', 'sd15-fp16']) {
      const encoder = await createSession(join(models, sd, 'text_encoder', 'model.onnx'), 'text_encoder', {
        report,
        settings: { default: 'cpu' },
      });
      const both = await encodeText(encoder, tokenizer, 'a green airplane', '', true);
      expect(both.batch).toBe(2);
      expect(both.width).toBe(768);
      expect(both.hiddenStates).toHaveLength(2 * 77 * 768);
      const onlyNegative = await encodeText(encoder, tokenizer, '', '', false);
      // unconditional first: the first half equals the encoding of the (empty) negative prompt
      expect(maxDiff(both.hiddenStates.subarray(0, 77 * 768), onlyNegative.hiddenStates)).toBeLessThan(2e-3);
      const other = await encodeText(encoder, tokenizer, 'a red airplane', '', false);
      expect(maxDiff(other.hiddenStates, both.hiddenStates.subarray(77 * 768))).toBeGreaterThan(1e-2);
      const long = await encodeText(encoder, tokenizer, 'green '.repeat(90), '', false);
      expect(long.warnings[0]).toMatch(/CLIP reads only the first 77/);
      await encoder.session.release();
    }
  });
});
