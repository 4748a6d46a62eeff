/**
 * One real-scale edit in its own process, for `npm run bench -- engine --scale real`: prints one JSON line with the
 * session creation times, per-step time inside and outside `session.run`, bytes through JS per step, VAE times and
 * the process's peak RSS (and each stage's). Usage: tsx realEngineRun.ts <modelsDir> <size> <steps> <default|low>
 * [sessionCacheDir]. IIR_BENCH_SD / IIR_BENCH_CONTROLNET choose the model ids (default sd15-real and
 * controlnet-canny-real; e.g. their int8 variants); the photo is a 300×300 crop, so the frame is size × size
 * (IIR_BENCH_SQUARE=0: the whole 451×300 photo, 1.5 size × size); IIR_BENCH_PROVIDER runs on another provider
 * (default cpu).
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { EditEngine } from '../../main/engine/pipeline';
import type { ProviderChoice } from '../../shared/api/providers';
import { createMask } from '../../shared/image/types';

const [modelsDir, sizeText, stepsText, mode, cacheDir] = process.argv.slice(2);
const size = Number(sizeText);
const steps = Number(stepsText);
const chelsea = join(import.meta.dirname, '..', 'fixtures', 'images', 'chelsea.png');
const square = process.env.IIR_BENCH_SQUARE !== '0';
const photo = square ? join(tmpdir(), `iir-bench-square-${process.pid}.png`) : chelsea;
if (square) await sharp(chelsea).extract({ left: 75, top: 0, width: 300, height: 300 }).png().toFile(photo);
const width = square ? 300 : 451;
const mask = createMask(width, 300);
for (let y = 90; y < 210; y++) mask.data.fill(255, y * width + (square ? 75 : 150), y * width + (square ? 225 : 300));

/** The process's peak RSS since the last reset, MiB (Linux; 0 elsewhere). */
function highWaterMiB(): number {
  try {
    const kb = /VmHWM:\s+(\d+)/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1];
    return kb ? Math.round(Number(kb) / 1024) : 0;
  } catch {
    return 0;
  }
}

/** Starts a new peak measurement (Linux: writing 5 to clear_refs resets VmHWM). */
function resetHighWater(): void {
  try {
    writeFileSync('/proc/self/clear_refs', '5');
  } catch {
    // not Linux: the stage peaks stay cumulative
  }
}

/** The process's RSS now, MiB. */
function rssMiB(): number {
  const kb = /VmRSS:\s+(\d+)/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1];
  return kb ? Number(kb) / 1024 : 0;
}

// A shared machine: stop (saying where) before the edit takes more than IIR_BENCH_RSS_LIMIT_MIB (default 11.5 GiB).
const rssLimit = Number(process.env.IIR_BENCH_RSS_LIMIT_MIB ?? 11776);
if (process.platform === 'linux') {
  setInterval(() => {
    if (rssMiB() <= rssLimit) return;
    process.stdout.write(
      `${JSON.stringify({ size, error: `over ${rssLimit} MiB RSS in stage ${stage}`, stagePeakRssMiB: stagePeaks })}\n`,
    );
    process.exit(3);
  }, 100).unref();
}

const stagePeaks: Record<string, number> = {};
let stage = 'start';
const endStage = (next: string): void => {
  stagePeaks[stage] = Math.max(stagePeaks[stage] ?? 0, highWaterMiB());
  resetHighWater();
  stage = next;
};

const engine = new EditEngine();
const result = await engine.edit({
  onProgress: (p) => {
    if (p.type === 'stage') endStage(p.stage);
  },
  image: photo,
  mask,
  modelsDir: modelsDir!,
  ...(cacheDir ? { sessionCacheDir: cacheDir } : {}),
  options: {
    prompt: 'a tiger',
    sd: process.env.IIR_BENCH_SD ?? 'sd15-real',
    controlnet: process.env.IIR_BENCH_CONTROLNET ?? 'controlnet-canny-real',
    provider: (process.env.IIR_BENCH_PROVIDER ?? 'cpu') as ProviderChoice,
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
  photo: `${width}x300`,
  models: [process.env.IIR_BENCH_SD ?? 'sd15-real', process.env.IIR_BENCH_CONTROLNET ?? 'controlnet-canny-real'],
  lowMemory: mode === 'low',
  loadMs: round(result.timings.load),
  sessions: result.sessionLoads.map((l) => ({ ...l, ms: round(l.ms) })),
  sessionMsTotal: round(result.sessionLoads.reduce((sum, l) => sum + l.ms, 0)),
  sessionsCached: result.sessionLoads.length > 0 && result.sessionLoads.every((l) => l.cached),
  textMs: round(result.timings.text),
  encodeMs: round(result.timings.encode),
  decodeMs: round(result.timings.decode),
  runMsPerStep: round(d.runMs / d.steps),
  overheadMsPerStep: Math.round((d.overheadMs / d.steps) * 10) / 10,
  bytesPerStep: round(d.bytesCopied / d.steps),
  residualBytesPerStep: round(d.residualBytes / d.steps),
  stagePeakRssMiB: (endStage('end'), stagePeaks),
  peakRssMiB: Math.max(...Object.values(stagePeaks)),
  memory: { ...result.memory, estimateMiB: round(result.memory.estimate / 2 ** 20) },
};
await engine.dispose();
if (square) rmSync(photo, { force: true });
process.stdout.write(`${JSON.stringify(report)}\n`);
