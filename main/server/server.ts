import { type IncomingMessage, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { type RawData, WebSocket, WebSocketServer } from 'ws';
import {
  type ImageId,
  type WireMessage,
  decodeWireMessage,
  encodeWireMessage,
  imageIdSchema,
  maxWireMessageBytes,
} from '../../shared/api';
import { isIirError } from '../../shared/errors';
import type { Emitter } from '../ipc/emitter';
import type { Router } from '../ipc/router';
import { isOriginAllowed, isTokenValid, newToken, presentedToken, tokenCookieHeader } from './auth';
import { readStatic } from './static';

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
}

/** A running serve-mode server. */
export interface RunningServer {
  /** `http://<host>:<port>/?token=<token>`. */
  readonly url: string;
  readonly port: number;
  readonly token: string;
  close(): Promise<void>;
}

const securityHeaders = {
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
  'Cache-Control': 'no-store',
};

/**
 * Serves the built renderer over HTTP and the API over a WebSocket at `/api`. Every HTTP request and WebSocket
 * connection must present the token (query parameter or the HttpOnly cookie set with the page); the WebSocket also
 * checks Origin and bounds message size.
 */
export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const { host, rendererDir, router, emitter, imagePng, log } = options;
  const token = options.token ?? newToken();
  const sockets = new Set<WebSocket>();
  const wss = new WebSocketServer({ noServer: true, maxPayload: maxWireMessageBytes });

  const server = createServer((request, response) => {
    handleHttp(request, response).catch((error: unknown) => {
      log?.(`HTTP ${request.url ?? ''} failed: ${String(error)}`);
      if (!response.headersSent) send(response, 500, 'text/plain; charset=utf-8', 'internal error');
      else response.destroy();
    });
  });

  async function handleHttp(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://localhost');
    const presented = presentedToken(request, url);
    if (!isTokenValid(presented, token)) {
      send(response, 403, 'text/plain; charset=utf-8', 'Forbidden: open the URL that `iir serve` printed.');
      return;
    }
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      send(response, 405, 'text/plain; charset=utf-8', 'method not allowed');
      return;
    }
    const imageMatch = /^\/image\/([^/]+)$/.exec(url.pathname);
    if (imageMatch) {
      const id = imageIdSchema.safeParse(imageMatch[1]);
      if (!id.success) return send(response, 400, 'text/plain; charset=utf-8', 'not an image id');
      try {
        return send(response, 200, 'image/png', await imagePng(id.data));
      } catch (error) {
        if (isIirError(error) && error.code === 'not_found') {
          return send(response, 404, 'text/plain; charset=utf-8', error.message);
        }
        throw error;
      }
    }
    const file = await readStatic(rendererDir, url.pathname);
    if (!file) {
      const isIndex = url.pathname === '/' || url.pathname === '/index.html';
      return send(
        response,
        404,
        'text/plain; charset=utf-8',
        isIndex ? 'The renderer is not built: run `npm run build`, then `npm run serve` again.' : 'not found',
      );
    }
    const headers: Record<string, string> = {};
    if (file.contentType.startsWith('text/html')) {
      headers['Set-Cookie'] = tokenCookieHeader(token);
      headers['Content-Security-Policy'] = contentSecurityPolicy;
    }
    send(response, 200, file.contentType, file.body, headers);
  }

  server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    const refuse = (status: number, reason: string): void => {
      log?.(`WebSocket refused: ${reason}`);
      socket.end(`HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    };
    if (url.pathname !== '/api') return refuse(404, 'Not Found');
    if (!isTokenValid(presentedToken(request, url), token)) return refuse(403, 'Forbidden');
    if (!isOriginAllowed(request, host)) return refuse(403, 'Forbidden');
    wss.handleUpgrade(request, socket, head, (ws) => connect(ws));
  });

  function connect(ws: WebSocket): void {
    sockets.add(ws);
    ws.on('close', () => sockets.delete(ws));
    ws.on('error', () => ws.terminate());
    ws.on('message', (data: RawData, isBinary: boolean) => {
      void answer(ws, data, isBinary);
    });
  }

  async function answer(ws: WebSocket, data: RawData, isBinary: boolean): Promise<void> {
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

  const unsubscribe = emitter.subscribe((channel, payload) => {
    if (sockets.size === 0) return;
    const frame = encodeWireMessage({ t: 'evt', channel, payload });
    for (const ws of sockets) if (ws.readyState === WebSocket.OPEN) ws.send(frame);
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const urlHost = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${urlHost}:${port}/?token=${token}`,
    port,
    token,
    close: () =>
      new Promise<void>((resolve) => {
        unsubscribe();
        for (const ws of sockets) ws.terminate();
        wss.close();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

const contentSecurityPolicy = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' blob: data:",
  "connect-src 'self' ws: wss:",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
  "form-action 'none'",
].join('; ');

function send(
  response: ServerResponse,
  status: number,
  contentType: string,
  body: string | Uint8Array,
  headers: Record<string, string> = {},
): void {
  response.writeHead(status, { ...securityHeaders, 'Content-Type': contentType, ...headers });
  response.end(body);
}

function toBytes(data: RawData): Uint8Array {
  if (Array.isArray(data)) return Buffer.concat(data);
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  return data;
}
