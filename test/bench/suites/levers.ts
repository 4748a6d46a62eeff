/**
 * `npm run bench -- levers [--models <dir>] --json`: what the memory plan's levers cost per step on the real-scale
 * ControlNet + UNet (CPU, fp32, 512², classifier-free guidance), each set in its own process (realStepRun.ts):
 *   - before: the arena on, the guidance batch as one B = 2 run, attention whole (the default before issue 12);
 *   - split: the arena off, guidance as two B = 1 runs, attention whole;
 *   - plan: the same with attention in 4 query slices — what the memory plan runs at 512², with default settings
 *     and in low-memory mode alike (which differ in what stays loaded between stages, not in the steps).
 * The sets run in turn, `IIR_BENCH_ROUNDS` times (default 2), so a shared machine's load falls on each alike. Per
 * step: the median wall and CPU time of the steps after the first (which grows the arena and plans memory), and
 * each set's CPU time against the one before.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import type { BenchContext, BenchSuite } from '../suite';
import { median } from '../suite';

const repo = join(import.meta.dirname, '..', '..', '..');
const size = 512;
const steps = 3;

const sets = {
  before: { args: ['arena', 'b2'], slices: 1 },
  split: { args: ['no-arena', 'split'], slices: 1 },
  plan: { args: ['no-arena', 'split'], slices: 4 },
} as const;
type SetName = keyof typeof sets;

interface StepRun {
  readonly stepMs: number[];
  readonly stepCpuMs: number[];
  readonly peakRssMiB: number;
  readonly loadavg: number;
}

function runSet(models: string, name: SetName, log: (m: string) => void): StepRun | { error: string } {
  const set = sets[name];
  log(`${name}: ${set.args.join(', ')}, ${set.slices} attention slice(s), ${steps} steps at ${size}²…`);
  const load = loadavg()[0]!;
  const script = join(repo, 'test', 'bench', 'realStepRun.ts');
  const child = spawnSync(
    process.execPath,
    ['--import', 'tsx', script, models, String(size), String(steps), ...set.args],
    { cwd: repo, encoding: 'utf8', maxBuffer: 1 << 20, env: { ...process.env, IIR_SLICES: String(set.slices) } },
  );
  const line = child.stdout.split('\n').find((l) => l.startsWith('{'));
  if (child.status !== 0 || !line) return { error: child.stderr.trim().split('\n').pop() ?? `exit ${child.status}` };
  return { ...(JSON.parse(line) as StepRun), loadavg: Math.round(load * 10) / 10 };
}

export const leversSuite: BenchSuite = {
  name: 'levers',
  summary: 'real scale: per-step wall and CPU time and peak RSS of the memory levers (arena, B=2 split, slices)',
  run: (context) => Promise.resolve(measureLevers(context)),
};

function measureLevers(context: BenchContext): Record<string, unknown> {
  const models = context.models ?? join(repo, '.cache', 'real-scale', 'models');
  if (!existsSync(join(models, 'sd15-real', 'controlnet', 'model.onnx'))) {
    return { skipped: `no real-scale models in ${models}: npm run fixtures -- --scale real --out ${models}` };
  }
  const rounds = Number(process.env.IIR_BENCH_ROUNDS ?? 2);
  const runs: Record<SetName, StepRun[]> = { before: [], split: [], plan: [] };
  const errors: string[] = [];
  for (let round = 0; round < rounds; round++) {
    for (const name of Object.keys(sets) as SetName[]) {
      const run = runSet(models, name, (m) => context.log(m));
      if ('error' in run) errors.push(`${name}: ${run.error}`);
      else runs[name].push(run);
    }
  }
  const later = (list: StepRun[], key: 'stepMs' | 'stepCpuMs'): number =>
    Math.round(median(list.flatMap((r) => r[key].slice(1))));
  const summary = Object.fromEntries(
    (Object.keys(sets) as SetName[]).map((name) => {
      const list = runs[name];
      if (list.length === 0) return [name, null];
      return [
        name,
        {
          stepMs: later(list, 'stepMs'),
          stepCpuMs: later(list, 'stepCpuMs'),
          peakRssMiB: Math.max(...list.map((r) => r.peakRssMiB)),
          loadavg: list.map((r) => r.loadavg),
        },
      ];
    }),
  ) as Record<SetName, { stepCpuMs: number } | null>;
  const ratio = (name: SetName): number | null => {
    const base = summary.before?.stepCpuMs;
    const other = summary[name]?.stepCpuMs;
    return base && other ? Math.round((other / base) * 1000) / 1000 : null;
  };
  return {
    provider: 'cpu',
    size,
    steps,
    rounds,
    sets: summary,
    cpuPerStepVsBefore: { split: ratio('split'), plan: ratio('plan') },
    runs,
    ...(errors.length > 0 ? { errors } : {}),
  };
}
