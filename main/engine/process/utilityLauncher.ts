import { createInterface } from 'node:readline';
import { utilityProcess } from 'electron';
import type { Logger } from '../../services/logs';
import { type EngineChild, type EngineLauncher, lowerPriority } from './launcher';
import type { EngineReply } from './protocol';

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
    logLines(child.stderr, (line) => log.warn(line));
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
    child.once('exit', (code) => exit(`exit code ${code}`));
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
