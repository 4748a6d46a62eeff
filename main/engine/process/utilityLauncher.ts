import { createInterface } from 'node:readline';
import { utilityProcess } from 'electron';
import type { Logger } from '../../services/logs';
import { type EngineChild, type EngineLauncher, lowerPriority } from './launcher';
import type { EngineReply } from './protocol';

const vcRuntimeUrl = 'https://aka.ms/vs/17/release/vc_redist.x64.exe';

/**
 * Why the engine stopped, in one line. On Windows, an ONNX Runtime binding that cannot load its DLLs almost always
 * means the Visual C++ runtime is missing: say so, with where to get it.
 */
export function engineExitDescription(
  code: number,
  stderrTail: readonly string[],
  platform: NodeJS.Platform = process.platform,
): string {
  const text = stderrTail.join('\n');
  if (
    platform === 'win32' &&
    /onnxruntime_binding\.node/.test(text) &&
    /specified module could not be found|ERR_DLOPEN_FAILED/i.test(text)
  ) {
    return `ONNX Runtime could not load; install the Microsoft Visual C++ Redistributable (x64) from ${vcRuntimeUrl}`;
  }
  return `exit code ${code}`;
}

/** Each line the engine prints goes to the log: a packaged app has no terminal to inherit. */
function logLines(stream: NodeJS.ReadableStream | null, write: (line: string) => void): void {
  if (!stream) return;
  createInterface({ input: stream, crlfDelay: Infinity }).on('line', (line) => {
    if (line.trim() !== '') write(`engine: ${line}`);
  });
}

/** Starts the engine entry (`out/main/engine.js`) as an Electron utility process; its output goes to `log`. */
export function utilityLauncher(entry: string, log: Logger): EngineLauncher {
  return (): EngineChild => {
    const child = utilityProcess.fork(entry, [], { serviceName: 'IIR Studio engine', stdio: 'pipe' });
    child.once('spawn', () => lowerPriority(child.pid));
    logLines(child.stdout, (line) => log.info(line));
    const stderrTail: string[] = [];
    logLines(child.stderr, (line) => {
      log.warn(line);
      stderrTail.push(line);
      if (stderrTail.length > 20) stderrTail.shift();
    });
    const exitListeners: ((description: string) => void)[] = [];
    let exited = false;
    const exit = (description: string): void => {
      if (exited) return;
      exited = true;
      for (const listener of exitListeners) listener(description);
    };
    // A fatal V8 error in the engine: without a listener this event would throw in main.
    child.on('error', (type, location) => {
      log.error(`engine process ${type} at ${location}`);
      exit(`${type} at ${location}`);
    });
    // stderr may still hold the last lines when 'exit' fires: read them on the next turn.
    child.once('exit', (code) => setImmediate(() => exit(engineExitDescription(code, stderrTail))));
    return {
      get pid() {
        return child.pid;
      },
      send(message) {
        child.postMessage(message);
      },
      onMessage(listener) {
        child.on('message', (message: EngineReply) => listener(message));
      },
      onExit(listener) {
        exitListeners.push(listener);
      },
      kill() {
        child.kill();
      },
    };
  };
}
