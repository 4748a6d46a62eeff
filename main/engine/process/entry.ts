/**
 * The engine process: runs inference off main's event loop. Started by main as an Electron `utilityProcess`
 * (messages on `process.parentPort`) or, under plain Node, by `child_process.fork` (messages on `process.send`).
 */
import { toApiError } from '../../ipc/router';
import type { EnginePort, EngineReply, EngineRequest } from './protocol';
import { runTask } from './tasks';

interface ParentPort {
  on(event: 'message', listener: (event: { data: unknown }) => void): void;
  postMessage(message: unknown): void;
}

function connect(): EnginePort {
  const parentPort = (process as { parentPort?: ParentPort }).parentPort;
  if (parentPort) {
    return {
      send: (message) => parentPort.postMessage(message),
      onMessage: (listener) => parentPort.on('message', (event) => listener(event.data as EngineRequest)),
    };
  }
  if (!process.send) throw new Error('the engine process must be started by IIR Studio');
  // The engine lives only as long as the process that started it.
  process.on('disconnect', () => process.exit(0));
  return {
    send: (message: EngineReply) => process.send?.(message),
    onMessage: (listener) => process.on('message', (message) => listener(message as EngineRequest)),
  };
}

const port = connect();
const running = new Map<number, AbortController>();

port.onMessage((message) => {
  if (message.type === 'cancel') {
    running.get(message.id)?.abort();
    return;
  }
  const { id, task } = message;
  const controller = new AbortController();
  running.set(id, controller);
  runTask(task, { signal: controller.signal, progress: (progress) => port.send({ type: 'progress', id, progress }) })
    .then((value) => port.send({ type: 'done', id, value, rss: process.memoryUsage.rss() }))
    .catch((error: unknown) =>
      port.send({
        type: 'error',
        id,
        error: controller.signal.aborted ? { code: 'cancelled', message: 'cancelled' } : toApiError(error, logBug),
        rss: process.memoryUsage.rss(),
      }),
    )
    .finally(() => running.delete(id));
});

port.send({ type: 'ready', pid: process.pid });

/** Sends a bug to main, which writes it to the log file (a packaged app has no console to read). */
function logBug(message: string, error: unknown): void {
  const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
  port.send({ type: 'log', message: `${message}: ${detail}` });
}
