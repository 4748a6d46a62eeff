import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { ensureFixtures } from '../fixtures/models/all';
import { cacheDir } from '../setup/global';

const root = join(import.meta.dirname, '..', '..');

/** A running `iir serve` on the fixture models: the URL it printed (token included) and how to stop it. */
export interface ServeChild {
  readonly child: ChildProcess;
  readonly firstLine: string;
  stop(): Promise<void>;
}

/**
 * Starts `iir serve --port 0` on the fixture models with a fresh user-data folder named `<prefix>…`. The folders
 * come as options, not IIR_USER_DATA / IIR_MODELS_DIR (both removed from its environment), as the README says.
 */
export async function startServe(prefix: string): Promise<ServeChild> {
  const options = ['--models', ensureFixtures(), '--user-data', mkdtempSync(join(cacheDir, prefix))];
  const { IIR_USER_DATA: _userData, IIR_MODELS_DIR: _models, ...env } = process.env;
  const child = spawn(process.execPath, ['--import', 'tsx', 'main/cli/index.ts', 'serve', '--port', '0', ...options], {
    cwd: root,
    env,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const firstLine = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`serve exited with ${code}`)));
  });
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGINT');
    await exited;
  };
  return { child, firstLine, stop };
}
