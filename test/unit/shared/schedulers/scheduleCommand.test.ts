import { describe, expect, it } from 'vitest';
import { sigmaAt } from './reference';
import { runIirProcess, type CliRun } from '../../../helpers/cli';

const iir = (...args: string[]): Promise<CliRun> => runIirProcess(args);

interface ScheduleJson {
  timesteps: number[];
  sigmas?: number[];
}

describe('iir schedule', () => {
  it('prints DPM++ 2M timesteps and sigmas (with the final 0) as JSON', async () => {
    const run = await iir('schedule', '--scheduler', 'dpmpp-2m', '--steps', '20', '--json');
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const lines = run.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    const parsed = JSON.parse(lines[0]!) as ScheduleJson;
    expect(Object.keys(parsed)).toEqual(['timesteps', 'sigmas']);
    expect(parsed.timesteps).toHaveLength(20);
    expect(parsed.timesteps.slice(0, 3)).toEqual([999, 949, 899]);
    expect(parsed.timesteps.at(-1)).toBe(50);
    expect(parsed.sigmas).toHaveLength(21);
    expect(parsed.sigmas![0]).toBeCloseTo(sigmaAt(999), 9);
    expect(parsed.sigmas![19]).toBeCloseTo(sigmaAt(50), 9);
    expect(parsed.sigmas![20]).toBe(0);
  }, 60_000);

  it('applies spacing and strength, and omits sigmas for DDIM and LCM', async () => {
    const ddim = await iir(
      'schedule',
      '--scheduler',
      'ddim',
      '--steps',
      '20',
      '--spacing',
      'trailing',
      '--strength',
      '0.5',
      '--json',
    );
    expect(ddim.code).toBe(0);
    expect(JSON.parse(ddim.stdout) as ScheduleJson).toEqual({
      timesteps: [499, 449, 399, 349, 299, 249, 199, 149, 99, 49],
    });
    const lcm = await iir('schedule', '--scheduler', 'lcm', '--steps', '4', '--json');
    expect(JSON.parse(lcm.stdout) as ScheduleJson).toEqual({ timesteps: [999, 759, 499, 259] });
  }, 60_000);

  it('prints a readable table without --json', async () => {
    const run = await iir('schedule', '--scheduler', 'euler', '--steps', '4', '--spacing', 'leading');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^euler, 4 steps, leading spacing, strength 1: 4 run/);
    expect(run.stdout).toContain(`\n   0       751  ${sigmaAt(751).toFixed(6).padStart(10)}\n`);
    expect(run.stdout).toContain(`\n   3         1  ${sigmaAt(1).toFixed(6).padStart(10)}\n`);
    expect(run.stdout).toMatch(/end .* 0\.000000\n$/);
  }, 60_000);

  it('refuses an unknown scheduler with one line listing the valid ones', async () => {
    const run = await iir('schedule', '--scheduler', 'plms', '--steps', '20', '--json');
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    const lines = run.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('ddim, euler, euler-a, dpmpp-2m, lcm');
    expect(lines[0]).toContain('plms');
  }, 60_000);

  it('refuses a spacing for LCM and a strength that leaves no step, in one line each', async () => {
    const lcm = await iir('schedule', '--scheduler', 'lcm', '--steps', '4', '--spacing', 'leading');
    expect(lcm.code).toBe(1);
    expect(lcm.stderr.trim().split('\n')).toEqual([
      'iir: lcm picks its own timesteps (from its 50 original ones); it takes no spacing',
    ]);
    const strength = await iir('schedule', '--scheduler', 'ddim', '--steps', '4', '--strength', '0.1');
    expect(strength.code).toBe(1);
    expect(strength.stderr).toMatch(/^iir: strength 0\.1 × 4 steps leaves no step to run/);
    expect(strength.stderr.trim().split('\n')).toHaveLength(1);
  }, 60_000);
});
