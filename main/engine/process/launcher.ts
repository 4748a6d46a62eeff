import { type ChildProcess, fork } from 'node:child_process';
import { createRequire } from 'node:module';
import { constants, setPriority } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { EngineReply, EngineRequest } from './protocol';

/** A running engine process as the client sees it. */
export interface EngineChild {
  readonly pid: number | undefined;
  send(message: EngineRequest): void;
  onMessage(listener: (message: EngineReply) => void): void;
  /** Called once when the process is gone, with a one-line description (exit code or signal). */
  onExit(listener: (description: string) => void): void;
  kill(): void;
}

/** Starts engine processes: `child_process.fork` under Node, `utilityProcess` under Electron. */
export type EngineLauncher = () => EngineChild;

/**
 * Inference saturates every core; at a lower scheduling priority it yields the CPU to the main process (and the
 * window) whenever they have work, so the UI stays responsive while an edit runs.
 */
export function lowerPriority(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    setPriority(pid, constants.priority.PRIORITY_BELOW_NORMAL);
  } catch {
    // Not permitted on this system: the engine runs at normal priority.
  }
}

/**
 * V8 flags of an engine process. One with a CPU thread budget (`iir worker --threads`) collects its garbage on its
 * own thread: V8's parallel and concurrent collector helpers (4 threads) would run beside the budget. On fixture
 * models they added about 0.4 of a core per batch photo, mostly waiting on each other, and took cores from ONNX
 * Runtime instead of saving time (`npm run bench -- workers`: a 1-thread engine used 1.34 cores per photo, 1.0
 * with this, and each photo was faster). The app's engine, which has every core, keeps V8's collector: at real scale
 * single-threaded collection saved no time per step and raised the low-memory peak by about 110 MiB.
 */
export function engineV8Flags(threads: number | undefined): string[] {
  return threads === undefined ? [] : ['--single-threaded-gc'];
}

/** The engine entry next to this file: `entry.ts` when running from source (tsx, vitest). */
export function sourceEntry(): string {
  return join(import.meta.dirname, 'entry.ts');
}

/**
 * Forks `entry` with advanced serialization (typed arrays cross as bytes). A `.ts` entry runs under the tsx loader,
 * resolved from this package so the child does not depend on the working folder. `threads`: the engine's CPU thread
 * budget, if it has one (its V8 flags depend on it).
 */
export function forkLauncher(
  entry: string = sourceEntry(),
  env: NodeJS.ProcessEnv = process.env,
  threads?: number,
): EngineLauncher {
  const execArgv = [
    ...engineV8Flags(threads),
    ...(entry.endsWith('.ts') ? ['--import', pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href] : []),
  ];
  return () => {
    const child: ChildProcess = fork(entry, [], {
      serialization: 'advanced',
      execArgv,
      env,
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    lowerPriority(child.pid);
    return {
      get pid() {
        return child.pid;
      },
      send(message) {
        if (child.connected) child.send(message);
      },
      onMessage(listener) {
        child.on('message', (message) => listener(message as EngineReply));
      },
      onExit(listener) {
        child.once('exit', (code, signal) =>
          listener(signal !== null ? `killed by ${signal}` : `exit code ${code ?? 'unknown'}`),
        );
      },
      kill() {
        child.kill('SIGKILL');
      },
    };
  };
}
