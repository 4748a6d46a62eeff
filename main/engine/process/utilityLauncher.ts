import { utilityProcess } from 'electron';
import { type EngineChild, type EngineLauncher, lowerPriority } from './launcher';
import type { EngineReply } from './protocol';

/** Starts the engine entry (`out/main/engine.js`) as an Electron utility process. */
export function utilityLauncher(entry: string): EngineLauncher {
  return (): EngineChild => {
    const child = utilityProcess.fork(entry, [], { serviceName: 'IIR Studio engine', stdio: 'inherit' });
    child.once('spawn', () => lowerPriority(child.pid));
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
        child.once('exit', (code) => listener(`exit code ${code}`));
      },
      kill() {
        child.kill();
      },
    };
  };
}
