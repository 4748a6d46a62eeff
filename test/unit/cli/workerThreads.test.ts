import { describe, expect, it } from 'vitest';
import { runIirHere } from '../../helpers/cli';

const base = ['worker', '--queue', 'redis://127.0.0.1:1', '--inputs', '/tmp', '--outputs', '/tmp'];

describe('iir worker --threads', () => {
  it('refuses a budget that is not a whole number ≥ 1 with one line and exit 2, before connecting', async () => {
    for (const value of ['--threads=0', '--threads=-1', '--threads=1.5', '--threads=two']) {
      const run = await runIirHere([...base, value]);
      expect(run.code).toBe(2);
      expect(run.stderr).toBe(
        `iir: --threads must be a whole number from 1 to 256, not "${value.slice(10)}" (see 'iir worker --help')\n`,
      );
    }
  });

  it('says in its help what the default is and to split the cores between workers on one host', async () => {
    const help = await runIirHere(['worker', '--help']);
    expect(help.stdout).toMatch(/--threads <n> +CPU threads for the engine and sharp \(default: cores ÷ --concurrency/);
    expect(help.stdout).toContain('When several workers share one host, split the cores');
  });
});
