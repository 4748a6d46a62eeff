import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { cacheDir } from '../../setup/global';

/** A loopback server whose every answer the test writes by hand (hostile hubs, odd catalogs). */
export async function startRaw(
  handler: (req: IncomingMessage, res: ServerResponse) => void,
  tls?: { key: Buffer; cert: Buffer },
): Promise<{ url: string; close: () => Promise<void> }> {
  const server: Server = tls ? createHttpsServer(tls, handler) : createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `${tls ? 'https' : 'http'}://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A self-signed certificate for 127.0.0.1 (openssl), or null when openssl is not installed. */
export function selfSignedCert(): { key: Buffer; cert: Buffer } | null {
  const dir = join(cacheDir, 'tls');
  const key = join(dir, 'key.pem');
  const cert = join(dir, 'cert.pem');
  if (!existsSync(cert)) {
    mkdirSync(dir, { recursive: true });
    try {
      execFileSync(
        'openssl',
        ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '2'].concat([
          '-subj',
          '/CN=127.0.0.1',
        ]),
        { stdio: 'ignore' },
      );
    } catch {
      return null;
    }
  }
  return { key: readFileSync(key), cert: readFileSync(cert) };
}

/** Streams `total` bytes in 64 kB chunks without a Content-Length (chunked), as an endless response starts. */
export function streamWithoutLength(res: ServerResponse, total: number): void {
  res.writeHead(200, { 'content-type': 'application/octet-stream' });
  const chunk = Buffer.alloc(64 * 1024, 7);
  let sent = 0;
  const pump = (): void => {
    while (sent < total) {
      const piece = chunk.subarray(0, Math.min(chunk.length, total - sent));
      sent += piece.length;
      if (!res.write(piece)) return void res.once('drain', pump);
    }
    res.end();
  };
  pump();
}
