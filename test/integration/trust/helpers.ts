import { mkdtempSync, mkdirSync, readdirSync, readFileSync, lstatSync } from 'node:fs';
import { join, relative } from 'node:path';
import WebSocket from 'ws';
import { type Envelope, type WireMessage, decodeWireMessage, encodeWireMessage } from '../../../shared/api';
import { forkLauncher, sourceEntry } from '../../../main/engine/process/launcher';
import { type RunningServer, startServer } from '../../../main/server/server';
import { type AppServices, type AppServicesOptions, createAppServices } from '../../../main/services/app';
import { cacheDir } from '../../setup/global';
import { memoryLogger } from '../shell/helpers';

/** A fresh scratch folder under the test cache. */
export function scratch(prefix: string): string {
  mkdirSync(cacheDir, { recursive: true });
  return mkdtempSync(join(cacheDir, `${prefix}-`));
}

/**
 * The real services over a fresh user-data folder, with no `IIR_MODELS_DIR` (so the `modelsDir` setting is what
 * counts), and `extra` options such as a save dialog.
 */
export async function startApp(extra: Partial<AppServicesOptions> = {}): Promise<AppServices> {
  const userDataDir = scratch('trust-user');
  const { IIR_MODELS_DIR: _ignored, ...rest } = process.env;
  const env = { ...rest, IIR_USER_DATA: userDataDir };
  return createAppServices({
    userDataDir,
    launcher: forkLauncher(sourceEntry(), env),
    env,
    logger: memoryLogger(),
    ...extra,
  });
}

/** Serve mode in this process: the real HTTP server and `/api` WebSocket over `services`. */
export async function startServe(services: AppServices): Promise<{ server: RunningServer; socket: SocketClient }> {
  const server = await startServer({
    host: '127.0.0.1',
    port: 0,
    rendererDir: scratch('trust-renderer'),
    router: services.router,
    emitter: services.emitter,
    imagePng: (id) => services.images.png(id),
  });
  const url = new URL(server.url);
  const ws = new WebSocket(`ws://${url.host}/api?token=${server.token}`, { headers: { origin: `http://${url.host}` } });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  return { server, socket: socketClient(ws) };
}

/** Calls over the wire format; `send` takes a raw header so a test can plant keys JSON.stringify would drop. */
export interface SocketClient {
  call(channel: string, request: unknown): Promise<Envelope<unknown>>;
  sendRaw(headerJson: string, id: number): Promise<Envelope<unknown>>;
  close(): void;
}

function socketClient(ws: WebSocket): SocketClient {
  let nextId = 1;
  const pending = new Map<number, (envelope: Envelope<unknown>) => void>();
  ws.on('message', (data: Buffer) => {
    const message = decodeWireMessage(new Uint8Array(data)) as WireMessage;
    if (message.t === 'res') pending.get(message.id)?.(message.envelope);
  });
  const answer = (id: number) => new Promise<Envelope<unknown>>((resolve) => pending.set(id, resolve));
  return {
    call(channel, request) {
      const id = nextId++;
      ws.send(encodeWireMessage({ t: 'req', id, channel, request }));
      return answer(id);
    },
    sendRaw(headerJson, id) {
      const header = Buffer.from(headerJson);
      const frame = Buffer.alloc(4 + header.length);
      frame.writeUInt32LE(header.length, 0);
      header.copy(frame, 4);
      ws.send(frame);
      return answer(id);
    },
    close: () => ws.close(),
  };
}

/** Every path under `dir` with its contents (files) or mode (anything else), to prove nothing changed. */
export function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (current: string): void => {
    for (const entry of readdirSync(current, { withFileTypes: true })) {
      const full = join(current, entry.name);
      const rel = relative(dir, full);
      if (entry.isDirectory()) {
        out[`${rel}/`] = 'dir';
        walk(full);
      } else out[rel] = entry.isFile() ? readFileSync(full, 'latin1') : `${lstatSync(full).mode}`;
    }
  };
  walk(dir);
  return out;
}
