/**
 * The per-step cost of the memory levers on the real-scale set, in its own process, for `npm run bench -- engine
 * --scale real --steps`: loads only the ControlNet and the UNet (CPU, fp32) with one set of levers, runs `steps`
 * denoising steps with classifier-free guidance on synthetic inputs, and prints one JSON line with each step's time
 * inside `session.run` and the process's peak RSS. Usage:
 *   tsx realStepRun.ts <modelsDir> <size> <steps> <arena|no-arena> <b2|split> [prepack|no-prepack]
 * IIR_SLICES=k runs attention in k query slices; IIR_MEMPATTERN=0 turns memory patterns off. The first step grows
 * the arena and plans memory patterns; compare the later ones. Measured at 512² (load ≈ 4–9 on 2 cores): memory
 * patterns off saved 0.19 GiB and no pre-packing another 0.19 GiB, but together they cost ≈ 1.6× the CPU per step;
 * 4 attention slices saved 0.94 GiB at no CPU cost, so only slicing is in the memory plan.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createScheduler } from '../../shared/engine/schedulers';
import { preflight } from '../../main/engine/providers';
import { denoise } from '../../main/engine/denoise';
import { createSession } from '../../main/engine/sessions';

const [modelsDir, sizeText, stepsText, arena, batchMode, prepack = 'prepack'] = process.argv.slice(2);
const size = Number(sizeText);
const steps = Number(stepsText);
const latent = size / 8;

function highWaterMiB(): number {
  const kb = /VmHWM:\s+(\d+)/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1];
  return kb ? Math.round(Number(kb) / 1024) : 0;
}

const report = await preflight();
const options = {
  report,
  settings: { default: 'cpu' as const },
  cpuArena: arena === 'arena',
  ...(prepack === 'no-prepack' ? { disablePrepacking: true } : {}),
  ...(process.env.IIR_MEMPATTERN === '0' ? { memPattern: false } : {}),
  attentionSlices: Number(process.env.IIR_SLICES ?? 1),
};
const started = performance.now();
const controlnet = await createSession(join(modelsDir!, 'controlnet-canny-real', 'model.onnx'), 'controlnet', options);
const unet = await createSession(join(modelsDir!, 'sd15-real', 'controlnet', 'model.onnx'), 'unet', options);
const loadMs = performance.now() - started;
const loadedMiB = highWaterMiB();

let seed = 7;
const random = (): number => (seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 2 ** 32;
const fill = (n: number, scale = 1): Float32Array => Float32Array.from({ length: n }, () => (random() - 0.5) * scale);
const stepMs: number[] = [];
const stepCpuMs: number[] = [];
let last = performance.now();
let lastCpu = process.cpuUsage();
await denoise(
  { unet, controlnet },
  {
    scheduler: createScheduler('ddim', { steps }),
    text: fill(2 * 77 * 768),
    batch: 2,
    guidance: 7.5,
    control: { data: fill(3 * size * size).map((v) => v + 0.5), shape: [1, 3, size, size] },
    controlScale: 1,
    controlStart: 0,
    controlEnd: 1,
    latents: fill(4 * latent * latent, 2),
    latentHeight: latent,
    latentWidth: latent,
    rng: { nextGaussian: () => random() - 0.5 },
    splitBatch: batchMode === 'split',
    onStep: () => {
      const now = performance.now();
      stepMs.push(Math.round(now - last));
      last = now;
      const cpu = process.cpuUsage(lastCpu);
      stepCpuMs.push(Math.round((cpu.user + cpu.system) / 1000));
      lastCpu = process.cpuUsage();
    },
  },
);
process.stdout.write(
  `${JSON.stringify({ size, arena, batchMode, prepack, loadMs: Math.round(loadMs), memPattern: process.env.IIR_MEMPATTERN !== '0', slices: Number(process.env.IIR_SLICES ?? 1), loadedMiB, stepMs, stepCpuMs, peakRssMiB: highWaterMiB() })}\n`,
);
