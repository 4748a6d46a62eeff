/**
 * One real-scale edit in its own process, for `npm run bench -- engine --scale real`: prints one JSON line with the
 * session creation times, per-step time inside and outside `session.run`, bytes through JS per step, VAE times and
 * the process's peak RSS. Usage: tsx realEngineRun.ts <modelsDir> <size> <steps> [lowMemory]
 */
import { join } from 'node:path';
import { EditEngine } from '../../main/engine/pipeline';
import { createMask } from '../../shared/image/types';

const [modelsDir, sizeText, stepsText, mode] = process.argv.slice(2);
const size = Number(sizeText);
const steps = Number(stepsText);
const photo = join(import.meta.dirname, '..', 'fixtures', 'images', 'chelsea.png');
const mask = createMask(451, 300);
for (let y = 90; y < 210; y++) mask.data.fill(255, y * 451 + 150, y * 451 + 300);

const engine = new EditEngine();
const result = await engine.edit({
  image: photo,
  mask,
  modelsDir: modelsDir!,
  options: {
    prompt: 'a tiger',
    sd: 'sd15-real',
    controlnet: 'controlnet-canny-real',
    provider: 'cpu',
    size,
    steps,
    seed: 1,
    lowMemory: mode === 'low',
  },
});
const d = result.variations[0]!.denoise;
const round = (v: number): number => Math.round(v);
const report = {
  size,
  lowMemory: mode === 'low',
  loadMs: round(result.timings.load),
  textMs: round(result.timings.text),
  encodeMs: round(result.timings.encode),
  decodeMs: round(result.timings.decode),
  runMsPerStep: round(d.runMs / d.steps),
  overheadMsPerStep: Math.round((d.overheadMs / d.steps) * 10) / 10,
  bytesPerStep: round(d.bytesCopied / d.steps),
  residualBytesPerStep: round(d.residualBytes / d.steps),
  peakRssMiB: round(process.resourceUsage().maxRSS / 1024),
};
await engine.dispose();
process.stdout.write(`${JSON.stringify(report)}\n`);
