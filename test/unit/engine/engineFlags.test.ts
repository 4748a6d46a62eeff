/**
 * Every engine process collects its garbage on its own thread (`--single-threaded-gc`): V8's collector helpers took
 * cores from ONNX Runtime (see `engineV8Flags`). Checked on a real fork under Node; the Electron launcher is checked
 * in `utilityLauncher.test.ts`.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { engineV8Flags, forkLauncher } from '../../../main/engine/process/launcher';

const folder = mkdtempSync(join(tmpdir(), 'iir-engine-flags-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

describe('engine process flags', () => {
  it('forks the engine with single-threaded garbage collection', async () => {
    expect(engineV8Flags).toEqual(['--single-threaded-gc']);
    const entry = join(folder, 'entry.mjs');
    writeFileSync(entry, 'process.send({ execArgv: process.execArgv }, () => process.exit(0));\n');
    const child = forkLauncher(entry)();
    const heard = await new Promise<unknown>((resolve) => child.onMessage(resolve));
    expect(heard).toEqual({ execArgv: ['--single-threaded-gc'] });
  });
});
