/**
 * `npm run bench -- engine --scale real`: whole edits on the real-scale SD1.5 set (`npm run fixtures -- --scale real
 * --out .cache/real-scale/models`), CPU, fp32, split Canny ControlNet, each in its own process so its peak RSS is
 * its own: default and low-memory settings at 256² and, when the machine has 10 GiB available, 512². The
 * optimized-graph cache (IIR_BENCH_SESSION_CACHE=1) is emptied first, so the first run's sessions are created cold
 * and the later ones from the cache. A run stops itself (and says in which stage) past 11.5 GiB RSS.
 * IIR_BENCH_SIZES=512 runs only that size; IIR_BENCH_SD, IIR_BENCH_CONTROLNET and IIR_BENCH_SQUARE: realEngineRun.ts.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { sessionCacheDir } from '../../../main/engine/sessionCache';
import type { BenchContext } from '../suite';

const repo = join(import.meta.dirname, '..', '..', '..');
const steps = 2;
/**
 * IIR_BENCH_SESSION_CACHE=1: sessions through the optimized-graph cache (emptied first: the first run is cold).
 * Off by default: at real scale ONNX Runtime wrote an incomplete ControlNet graph (refused) and stalled on the UNet.
 */
const useCache = process.env.IIR_BENCH_SESSION_CACHE === '1';

/** MemAvailable from /proc/meminfo, GiB (Infinity where unknown). */
function availableGiB(): number {
  try {
    const line = readFileSync('/proc/meminfo', 'utf8').match(/MemAvailable:\s+(\d+) kB/);
    return line ? Number(line[1]) / 2 ** 20 : Infinity;
  } catch {
    return Infinity;
  }
}

function runOne(models: string, size: number, mode: string, context: BenchContext): Record<string, unknown> {
  context.log(`real-scale edit at ${size}², ${mode} settings, ${steps} steps…`);
  const child = spawnSync(
    process.execPath,
    [
      '--import',
      'tsx',
      join(repo, 'test', 'bench', 'realEngineRun.ts'),
      models,
      String(size),
      String(steps),
      mode,
      ...(useCache ? [sessionCacheDir(models)] : []),
    ],
    {
      cwd: repo,
      encoding: 'utf8',
      maxBuffer: 1 << 20,
      env: { ...process.env, IIR_BENCH_PROVIDER: context.provider ?? 'cpu' },
    },
  );
  const line = child.stdout.split('\n').find((l) => l.startsWith('{'));
  if (child.status !== 0 || !line) {
    return {
      size,
      mode,
      error:
        child.stderr
          .split('\n')
          .filter((l) => l.trim() !== '')
          .pop() ?? `exit ${child.status}`,
    };
  }
  const result = JSON.parse(line) as Record<string, unknown>;
  context.log(JSON.stringify(result));
  return result;
}

export function runRealEngine(context: BenchContext): Record<string, unknown> {
  const models = context.models ?? join(repo, '.cache', 'real-scale', 'models');
  if (!existsSync(join(models, process.env.IIR_BENCH_SD ?? 'sd15-real', 'unet', 'model.onnx'))) {
    return { skipped: `no real-scale models in ${models}: npm run fixtures -- --scale real --out ${models}` };
  }
  if (useCache) rmSync(sessionCacheDir(models), { recursive: true, force: true }); // the first run is cold
  const runs: Record<string, unknown>[] = [];
  const provider = context.provider ?? 'cpu';
  const sizes = process.env.IIR_BENCH_SIZES?.split(',').map(Number) ?? [256, 512];
  for (const size of sizes) {
    if (size === 512 && provider === 'cpu' && availableGiB() < 10) {
      runs.push({ size, skipped: `only ${availableGiB().toFixed(1)} GiB available; 512² needs 10 GiB here` });
      continue;
    }
    for (const mode of ['default', 'low']) runs.push(runOne(models, size, mode, context));
  }
  return { provider, steps, runs };
}
