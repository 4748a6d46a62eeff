import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compositeMask } from '../../../main/engine/composite';
import type { WorkingFrame } from '../../../shared/image/geometry';
import { compositeRegion } from '../../../main/eval/masks';
import { pixelMetrics } from '../../../main/eval/pixels';
import { runIirHere } from '../../helpers/cli';
import { editedCopy, oracleMissing, photoCrop, rectMask, runOracle, tempDir, writePng } from './helpers';

const missing = oracleMissing();
if (missing) console.warn(`eval pixel tests: ${missing}; the reference-value tests are skipped`);

describe('iir eval pixel metrics', () => {
  it.skipIf(missing !== null)('PSNR, MSE and SSIM outside the mask match numpy/OpenCV on the same images', async () => {
    const dir = tempDir('eval-pixels-');
    const original = await photoCrop(120, 96);
    const mask = rectMask(120, 96, 30, 20, 80, 60);
    const edited = editedCopy(original, mask, 6);
    const paths = [join(dir, 'a.png'), join(dir, 'b.png'), join(dir, 'm.png')];
    await Promise.all([writePng(paths[0]!, original), writePng(paths[1]!, edited), writePng(paths[2]!, mask)]);
    const reference = runOracle(['pixels', ...paths]);
    const ours = pixelMetrics(original, edited, mask);
    expect(ours.mse).toBeGreaterThan(0);
    expect(ours.mse).toBeCloseTo(reference.mse!, 12);
    expect(ours.psnr).toBeCloseTo(reference.psnr!, 9);
    expect(ours.ssim).toBeCloseTo(reference.ssim!, 9);
    expect(ours.ssim).toBeLessThan(1);
  });

  it.skipIf(missing !== null)('agrees with the reference on a large region of a bigger photo', async () => {
    const dir = tempDir('eval-pixels-');
    const original = await photoCrop(300, 200, 10, 10);
    const mask = rectMask(300, 200, 100, 40, 260, 190);
    const edited = editedCopy(original, mask, 20);
    const paths = [join(dir, 'a.png'), join(dir, 'b.png'), join(dir, 'm.png')];
    await Promise.all([writePng(paths[0]!, original), writePng(paths[1]!, edited), writePng(paths[2]!, mask)]);
    const reference = runOracle(['pixels', ...paths]);
    const ours = pixelMetrics(original, edited, mask);
    expect(ours.psnr).toBeCloseTo(reference.psnr!, 9);
    expect(ours.ssim).toBeCloseTo(reference.ssim!, 9);
  });

  it('our dilated region is exactly where the engine composite can blend', () => {
    const mask = rectMask(90, 70, 30, 20, 50, 44);
    const frame = { sourcePx: { x0: 0, y0: 0, x1: 90, y1: 70 } } as WorkingFrame;
    const engine = compositeMask(mask, frame, 5, 6);
    const ours = compositeRegion(mask, { dilatePx: 5, featherPx: 6 });
    expect(Array.from(ours.data, (v) => v > 0)).toEqual(Array.from(engine.data, (v) => v > 0));
  });

  it('reports an infinite PSNR outside the dilated mask for a pixel-exact composite, as null + flag in JSON and ∞ in text', async () => {
    const dir = tempDir('eval-cli-');
    const original = await photoCrop(100, 80);
    const mask = rectMask(100, 80, 40, 30, 60, 50);
    const grown = compositeRegion(mask, { dilatePx: 4, featherPx: 4 });
    const edited = editedCopy(original, grown);
    const files = ['a.png', 'b.png', 'm.png'].map((n) => join(dir, n));
    await Promise.all([writePng(files[0]!, original), writePng(files[1]!, edited), writePng(files[2]!, mask)]);
    const args = ['eval', '--original', files[0]!, '--edited', files[1]!, '--mask', files[2]!];
    const env = { ...process.env, IIR_MODELS_DIR: tempDir('eval-no-models-') };
    const json = await runIirHere([...args, '--dilate', '4', '--feather', '4', '--json'], { env });
    expect(json.code, json.stderr).toBe(0);
    const report = JSON.parse(json.stdout) as Record<string, Record<string, unknown>>;
    expect(report.outsideDilated).toMatchObject({ psnr: null, psnrInfinite: true, mse: 0, ssim: 1, lpips: null });
    expect(report.outsideMask!.psnrInfinite).toBe(false);
    expect(report.outsideMask!.psnr).toBeGreaterThan(5);
    expect(report.note).toBe(
      'LPIPS, CLIP similarity, structure distance not measured: install with npm run iir -- models pull metrics',
    );
    const text = await runIirHere([...args, '--dilate', '4', '--feather', '4'], { env });
    expect(text.stdout).toMatch(/outside the dilated mask \(dilate 4 px, feather 4 px\) \(\d+ px\): PSNR ∞, MSE 0,/);
    expect(text.stdout).toContain('models pull metrics');
  });

  it('refuses images of different sizes and a missing argument in one line', async () => {
    const dir = tempDir('eval-cli-');
    const a = await writePng(join(dir, 'a.png'), await photoCrop(40, 30));
    const b = await writePng(join(dir, 'b.png'), await photoCrop(41, 30));
    const m = await writePng(join(dir, 'm.png'), rectMask(40, 30, 1, 1, 5, 5));
    const sized = await runIirHere(['eval', '--original', a, '--edited', b, '--mask', m]);
    expect(sized.code).not.toBe(0);
    expect(sized.stderr.trim()).toBe('iir: the edited image is 41×30 but the original is 40×30');
    const usage = await runIirHere(['eval', '--original', a, '--mask', m]);
    expect(usage.code).not.toBe(0);
    expect(usage.stderr).toContain('give --original <image> --edited <image> --mask <png>, or --bench <folder>');
  });

  it('documents itself: iir --help lists it, iir eval --help states each metric and the bench folder', async () => {
    expect((await runIirHere(['--help'])).stdout).toMatch(/\n {2}eval +measure an edit with PIE-Bench's metrics/);
    const help = await runIirHere(['eval', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Usage: iir eval [options]');
    expect(help.stdout).toContain('SSIM is Wang et al. 2004: 11×11 Gaussian window, σ 1.5');
    expect(help.stdout).toMatch(
      /--dilate <px> +dilation of our dilated mask, as the edit's --dilate \(0–256; default: 8\)/,
    );
    expect(help.stdout).toContain('--bench <folder>      a PIE-Bench folder: mapping_file.json + annotation_images/');
  });
});
