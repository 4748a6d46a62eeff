import { type IncomingMessage, type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { type RawData, WebSocket, WebSocketServer } from 'ws';
import {
  type ImageId,
  type WireMessage,
  decodeWireMessage,
  encodeWireMessage,
  maxWireMessageBytes,
} from '../../shared/api';
import type { Emitter } from '../ipc/emitter';
import type { Router } from '../ipc/router';
import { OneTimeNonces, isOriginAllowed, isTokenValid, newToken, newTokenCookieName, presentedToken } from './auth';
import { createHttpHandler } from './httpHandler';

/** Options of {@link startServer}. */
export interface ServerOptions {
  readonly host: string;
  /** 0 picks a free port. */
  readonly port: number;
  /** The built renderer (out/renderer). */
  readonly rendererDir: string;
  readonly router: Router;
  readonly emitter: Emitter;
  /** PNG bytes of a stored image. */
  readonly imagePng: (id: ImageId) => Promise<Uint8Array>;
  readonly token?: string;
  readonly log?: (message: string) => void;
  /**
   * The last page disconnected (closed, reloaded): what it held may go, so the next page starts clean. A page
   * that reloads closes its socket before the new one opens.
   */
  readonly onAllClientsGone?: () => void;
}

/** A running serve-mode server. */
export interface RunningServer {
  /** `http://<host>:<port>/?token=<token>`. */
  readonly url: string;
  readonly port: number;
  readonly token: string;
  /** The name of this server's token cookie. */
  readonly cookieName: string;
  /** `http://<host>:<port>/open?nonce=<once>`: opens the editor once, without the token in the URL. */
  oneTimeUrl(): string;
  close(): Promise<void>;
}

/**
 * Serves the built renderer over HTTP and the API over a WebSocket at `/api`. Every HTTP request and WebSocket
 * connection must present the token (query parameter or the HttpOnly cookie set with the page); the WebSocket also
 * checks Origin and bounds message size.
 */
export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const { host, rendererDir, router, emitter, imagePng, log } = options;
  const token = options.token ?? newToken();
  const cookieName = newTokenCookieName();
  const nonces = new OneTimeNonces();
  const sockets = new Set<WebSocket>();
  let closing = false;
  const wss = new WebSocketServer({ noServer: true, maxPayload: maxWireMessageBytes });

  const server = createServer(
    createHttpHandler({ rendererDir, imagePng, token, cookieName, nonces, ...(log ? { log } : {}) }),
  );

  server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    const refuse = (status: number, reason: string): void => {
      log?.(`WebSocket refused: ${reason}`);
      socket.end(`HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    };
    if (url.pathname !== '/api') return refuse(404, 'Not Found');
    if (!isTokenValid(presentedToken(request, url, cookieName), token)) return refuse(403, 'Forbidden');
    if (!isOriginAllowed(request, host)) return refuse(403, 'Forbidden');
    wss.handleUpgrade(request, socket, head, (ws) => connect(ws));
  });

  function connect(ws: WebSocket): void {
    sockets.add(ws);
    ws.on('close', () => {
      sockets.delete(ws);
      if (sockets.size === 0 && !closing) options.onAllClientsGone?.();
    });
    ws.on('error', () => ws.terminate());
    ws.on('message', (data: RawData, isBinary: boolean) => {
      void answer(router, ws, data, isBinary);
    });
  }

  const unsubscribe = emitter.subscribe((channel, payload) => {
    if (sockets.size === 0) return;
    const frame = encodeWireMessage({ t: 'evt', channel, payload });
    for (const ws of sockets) if (ws.readyState === WebSocket.OPEN) ws.send(frame);
  });

  await listen(server, options.port, host);
  const port = (server.address() as AddressInfo).port;
  const urlHost = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${urlHost}:${port}/?token=${token}`,
    port,
    token,
    cookieName,
    oneTimeUrl: () => `http://${urlHost}:${port}/open?nonce=${nonces.issue()}`,
    close: () =>
      new Promise<void>((resolve) => {
        unsubscribe();
        closing = true;
        for (const ws of sockets) ws.terminate();
        wss.close();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** Answers one request frame; a malformed one closes the connection (1003). */
async function answer(router: Router, ws: WebSocket, data: RawData, isBinary: boolean): Promise<void> {
  let message: unknown;
  try {
    if (!isBinary) throw new Error('text frame');
    message = decodeWireMessage(toBytes(data));
  } catch {
    ws.close(1003, 'malformed message');
    return;
  }
  const request = message as Partial<Extract<WireMessage, { t: 'req' }>>;
  if (request.t !== 'req' || typeof request.id !== 'number' || !Number.isSafeInteger(request.id)) {
    ws.close(1003, 'malformed message');
    return;
  }
  const envelope = await router.dispatch(request.channel, request.request, { transport: 'websocket' });
  if (ws.readyState === WebSocket.OPEN) ws.send(encodeWireMessage({ t: 'res', id: request.id, envelope }));
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

function toBytes(data: RawData): Uint8Array {
  if (Array.isArray(data)) return Buffer.concat(data);
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  return data;
}
