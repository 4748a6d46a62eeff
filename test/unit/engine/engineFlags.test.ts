/**
 * An engine with a CPU thread budget (`iir worker --threads`) collects its garbage on its own thread
 * (`--single-threaded-gc`): V8's collector helpers would run beside the budget (see `engineV8Flags`). The app's
 * engine, with every core, keeps V8's collector. Checked on real forks under Node.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { forkLauncher } from '../../../main/engine/process/launcher';

const folder = mkdtempSync(join(tmpdir(), 'iir-engine-flags-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

/** The V8 and Node flags a forked engine entry sees. */
async function flagsOf(threads?: number): Promise<unknown> {
  const entry = join(folder, 'entry.mjs');
  writeFileSync(entry, 'process.send({ execArgv: process.execArgv }, () => process.exit(0));\n');
  const child = forkLauncher(entry, process.env, threads)();
  return await new Promise<unknown>((resolve) => child.onMessage(resolve));
}

describe('engine process flags', () => {
  it('a budgeted engine collects garbage on its own thread', async () => {
    expect(await flagsOf(1)).toEqual({ execArgv: ['--single-threaded-gc'] });
    expect(await flagsOf(8)).toEqual({ execArgv: ['--single-threaded-gc'] });
  });

  it('an engine with every core keeps V8’s collector', async () => {
    expect(await flagsOf(undefined)).toEqual({ execArgv: [] });
  });
});
