import { join } from 'node:path';
import { denoise, type DenoiseModels } from '../../../main/engine/denoise';
import { locateModelSet } from '../../../main/engine/modelSet';
import { preflight } from '../../../main/engine/providers';
import { createSession } from '../../../main/engine/sessions';
import { createScheduler } from '../../../shared/engine/schedulers';
import { buildControl } from '../../../shared/image/control';
import { Rng, fillGaussian } from '../../../shared/image/random';
import { ensureFixtures } from '../../fixtures/models/all';
import type { BenchSuite } from '../suite';
import { median } from '../suite';
import { runRealEngine } from './realEngine';

const size = 512;
const steps = 6;
const runs = 3;

/**
 * Per denoising step at 512², B = 2 (CFG), split ControlNet (fixture sd15 residual UNet + 4-channel IIR ControlNet
 * with SD1.5's real residual shapes, fp32): time inside `session.run`, the engine's own time outside it, and the
 * bytes crossing between JS and ONNX Runtime. Median over runs after one warm-up run.
 */
export const engineSuite: BenchSuite = {
  name: 'engine',
  summary: 'denoising step at 512², B=2, split ControlNet: ms in session.run, ms outside it, bytes copied',
  async run(context) {
    if (context.scale === 'real') return runRealEngine(context);
    const models = ensureFixtures();
    const set = await locateModelSet({ modelsDir: models, sd: join(models, 'sd15'), controlnet: 'controlnet-iir' });
    const report = await preflight();
    const options = { report, settings: { default: 'cpu' as const } };
    const unet = await createSession(set.files.unet, 'unet', options);
    const controlnet = await createSession(set.files.controlnet!, 'controlnet', options);
    const round = (v: number, d: number): number => Math.round(v * 10 ** d) / 10 ** d;
    const latentSize = size / 8;
    const n = 4 * latentSize * latentSize;
    const rng = new Rng(1);
    const text = fillGaussian(new Float32Array(2 * 77 * 768), rng);
    const plane = size * size;
    const iir = { width: size, height: size, data: new Uint8Array(plane * 3).map((_, i) => (i * 37) & 255) };
    const edges = { width: size, height: size, data: new Uint8Array(plane).map((_, i) => (i % 7 === 0 ? 255 : 0)) };
    const control = buildControl(iir, edges, 4);
    const original = fillGaussian(new Float32Array(n), rng);
    const noise = fillGaussian(new Float32Array(n), rng);
    const mask = new Float32Array(latentSize * latentSize).map((_, i) => (i % latentSize > 20 ? 1 : 0));

    const measureForm = async (models: DenoiseModels, label: string): Promise<Record<string, number>> => {
      const perStep: Record<'run' | 'overhead' | 'bytes' | 'residual', number[]> = {
        run: [],
        overhead: [],
        bytes: [],
        residual: [],
      };
      for (let r = 0; r <= runs; r++) {
        const latents = fillGaussian(new Float32Array(n), new Rng(r));
        const stats = await denoise(models, {
          scheduler: createScheduler('dpmpp-2m', { steps }),
          text,
          batch: 2,
          guidance: 7.5,
          control,
          controlScale: 1,
          controlStart: 0,
          controlEnd: 1,
          latents,
          latentHeight: latentSize,
          latentWidth: latentSize,
          blend: { original, noise, mask },
          rng: new Rng(r),
        });
        if (r === 0) continue;
        perStep.run.push(stats.runMs / stats.steps);
        perStep.overhead.push(stats.overheadMs / stats.steps);
        perStep.bytes.push(stats.bytesCopied / stats.steps);
        perStep.residual.push(stats.residualBytes / stats.steps);
      }
      const result = {
        runMsPerStep: round(median(perStep.run), 1),
        overheadMsPerStep: round(median(perStep.overhead), 2),
        bytesCopiedPerStep: Math.round(median(perStep.bytes)),
        residualBytesPerStep: Math.round(median(perStep.residual)),
      };
      context.log(`${label}: ${JSON.stringify(result)}`);
      return result;
    };
    const split = await measureForm({ unet, controlnet }, 'split ControlNet + residual UNet');
    await unet.session.release();
    await controlnet.session.release();
    // For comparison (stderr only): the fused UNet+ControlNet graph, whose residuals never leave ONNX Runtime.
    const fusedSet = await locateModelSet({ modelsDir: models, sd: join(models, 'sd15-fused-iir') });
    const fused = await createSession(fusedSet.files.unet, 'unet', options);
    await measureForm({ unet: fused }, 'fused UNet+ControlNet (for comparison)');
    await fused.session.release();
    return split;
  },
};
