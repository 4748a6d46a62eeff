import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { join } from 'node:path';
import { commands } from '../../main/cli/commands';
import type { CommandSource } from '../../main/cli/command';
import { runCli } from '../../main/cli/runner';

/** The repository root. */
export const repoRoot = join(import.meta.dirname, '..', '..');

/** What a CLI run printed and how it ended. */
export interface CliRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Starts the CLI as `npm run iir -- …` does (node + the tsx loader), in a child process. */
export function startIir(args: readonly string[], env: NodeJS.ProcessEnv = {}): ChildProcessWithoutNullStreams {
  return spawn(process.execPath, ['--import', 'tsx', join(repoRoot, 'main', 'cli', 'index.ts'), ...args], {
    cwd: repoRoot,
    env: { ...process.env, IIR_DEBUG: '', ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
}

/** Collects a started CLI process's output until it exits. */
export function finished(child: ChildProcessWithoutNullStreams): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Runs the CLI in a child process, exactly as a user's shell would (exit codes, stdout/stderr split). */
export function runIirProcess(args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<CliRun> {
  const child = startIir(args, env);
  child.stdin.end();
  return finished(child);
}

/** Runs the CLI's runner in this process: the same parsing, exit codes and output, without a process start. */
export async function runIirHere(
  args: readonly string[],
  options: { env?: NodeJS.ProcessEnv; signal?: AbortSignal; commands?: readonly CommandSource[] } = {},
): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const code = await runCli([...args], options.commands ?? commands, {
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
    env: options.env ?? process.env,
    signal: options.signal ?? new AbortController().signal,
  });
  return { code, stdout, stderr };
}
