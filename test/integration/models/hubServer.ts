import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** One injected fault, consumed by the next GET of that file on the storage server. */
export type Fault =
  | { kind: 'status'; status: number }
  /** Send this many body bytes, then destroy the connection once `release()` is called. */
  | { kind: 'drop'; after: number }
  /** Send this many body bytes, then send nothing more (the client's stall timeout must fire). */
  | { kind: 'stall'; after: number }
  /** Send this many body bytes, then wait until `release()` before sending the rest. */
  | { kind: 'hold'; after: number }
  /** Answer 200 with the whole file even when a Range was asked for. */
  | { kind: 'ignoreRange' }
  /** Serve the file with one byte changed (same headers). */
  | { kind: 'corrupt' };

export interface HostedFile {
  content: Buffer;
  sha256: string;
  etag: string;
}

export interface RequestLog {
  server: 'hub' | 'storage';
  method: string;
  path: string;
  range: string | undefined;
  ifRange: string | undefined;
  authorization: string | undefined;
  status: number;
}

/** Deterministic bytes (xorshift32), so a test can tell a right file from a wrong one byte by byte. */
export function testBytes(length: number, seed: number): Buffer {
  const out = Buffer.alloc(length);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

export function sha256(buf: Buffer): string {
  return createHash('sha256').update(buf).digest('hex');
}

/**
 * A hub look-alike on 127.0.0.1: `/<repo>/resolve/<rev>/<path>` answers 302 to a storage server on another port
 * (another origin), with `X-Linked-Etag`/`X-Linked-Size` like the real hub; the storage server honours Range and
 * If-Range with a strong ETag. Faults are queued per file.
 */
export class HubServer {
  readonly files = new Map<string, HostedFile>();
  readonly log: RequestLog[] = [];
  private readonly faults = new Map<string, Fault[]>();
  private readonly held: (() => void)[] = [];
  private readonly heldWaiters: (() => void)[] = [];
  private readonly sockets = new Set<Socket>();
  private hub!: Server;
  private storage!: Server;
  /** Whether the hub answers with X-Linked-Etag (turn off to test a file whose hash nobody publishes). */
  publishHashes = true;

  get hubUrl(): string {
    return `http://127.0.0.1:${(this.hub.address() as AddressInfo).port}`;
  }

  get storageUrl(): string {
    return `http://127.0.0.1:${(this.storage.address() as AddressInfo).port}`;
  }

  async start(): Promise<void> {
    this.hub = createServer((req, res) => this.onHub(req, res));
    this.storage = createServer((req, res) => this.onStorage(req, res));
    for (const server of [this.hub, this.storage]) {
      server.on('connection', (socket) => {
        this.sockets.add(socket);
        socket.on('close', () => this.sockets.delete(socket));
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    }
  }

  async stop(): Promise<void> {
    this.release();
    for (const socket of this.sockets) socket.destroy();
    await Promise.all([this.hub, this.storage].map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
  }

  /** Hosts `content` at `<repo>/resolve/main/<path>`; returns the path key. */
  host(key: string, content: Buffer): HostedFile {
    const digest = sha256(content);
    const file = { content, sha256: digest, etag: `"${digest.slice(0, 16)}-${content.length}"` };
    this.files.set(key, file);
    return file;
  }

  /** The public-hub URL a catalog would list for `key` (re-pointed at this server through IIR_HUB_ENDPOINT). */
  catalogUrl(key: string): string {
    return `https://huggingface.co/${key.replace(/^([^/]+\/[^/]+)\//, '$1/resolve/main/')}`;
  }

  fault(key: string, ...faults: Fault[]): void {
    this.faults.set(key, [...(this.faults.get(key) ?? []), ...faults]);
  }

  /** Resolves when a `hold` fault has sent its first bytes and is waiting. */
  whenHeld(count = 1): Promise<void> {
    if (this.held.length >= count) return Promise.resolve();
    return new Promise((resolve) => {
      const wait = (): void => {
        if (this.held.length >= count) resolve();
        else this.heldWaiters.push(wait);
      };
      this.heldWaiters.push(wait);
    });
  }

  /** Lets every held response finish. */
  release(): void {
    for (const go of this.held.splice(0)) go();
  }

  requests(server: RequestLog['server'], key: string): RequestLog[] {
    return this.log.filter((r) => r.server === server && r.path.includes(key.split('/').slice(2).join('/')));
  }

  private record(server: RequestLog['server'], req: IncomingMessage, status: number): void {
    this.log.push({
      server,
      method: req.method ?? 'GET',
      path: decodeURIComponent((req.url ?? '').split('?')[0] ?? ''),
      range: req.headers.range,
      ifRange: req.headers['if-range'] as string | undefined,
      authorization: req.headers.authorization,
      status,
    });
  }

  private onHub(req: IncomingMessage, res: ServerResponse): void {
    const path = decodeURIComponent((req.url ?? '').split('?')[0] ?? '');
    const m = /^\/([^/]+\/[^/]+)\/resolve\/main\/(.+)$/.exec(path);
    const key = m ? `${m[1]}/${m[2]}` : '';
    const file = this.files.get(key);
    if (!file) {
      this.record('hub', req, 404);
      res.writeHead(404).end('not found');
      return;
    }
    this.record('hub', req, 302);
    const headers: Record<string, string> = {
      location: `${this.storageUrl}/blob/${encodeURIComponent(key)}?X-Amz-Signature=secret`,
      'x-linked-size': String(file.content.length),
    };
    if (this.publishHashes) headers['x-linked-etag'] = `"${file.sha256}"`;
    res.writeHead(302, headers).end();
  }

  private onStorage(req: IncomingMessage, res: ServerResponse): void {
    const path = decodeURIComponent((req.url ?? '').split('?')[0] ?? '');
    const key = path.replace(/^\/blob\//, '');
    const file = this.files.get(key);
    if (!file) {
      this.record('storage', req, 404);
      res.writeHead(404).end();
      return;
    }
    const size = file.content.length;
    const base = { etag: file.etag, 'accept-ranges': 'bytes', 'content-type': 'application/octet-stream' };
    if (req.method === 'HEAD') {
      this.record('storage', req, 200);
      res.writeHead(200, { ...base, 'content-length': String(size) }).end();
      return;
    }
    const fault = this.faults.get(key)?.shift();
    if (fault?.kind === 'status') {
      this.record('storage', req, fault.status);
      res.writeHead(fault.status).end('injected');
      return;
    }
    let content = file.content;
    if (fault?.kind === 'corrupt') {
      content = Buffer.from(content);
      content[content.length >> 1] = (content[content.length >> 1] ?? 0) ^ 0xff;
    }
    let start = 0;
    let status = 200;
    const range = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
    const ifRange = req.headers['if-range'];
    const validatorOk = ifRange === undefined || ifRange === file.etag;
    if (range && validatorOk && fault?.kind !== 'ignoreRange') {
      start = Number(range[1]);
      if (start >= size) {
        this.record('storage', req, 416);
        res.writeHead(416, { ...base, 'content-range': `bytes */${size}` }).end();
        return;
      }
      status = 206;
    }
    this.record('storage', req, status);
    const headers: Record<string, string> = { ...base, 'content-length': String(size - start) };
    if (status === 206) headers['content-range'] = `bytes ${start}-${size - 1}/${size}`;
    res.writeHead(status, headers);
    const body = content.subarray(start);
    if (fault?.kind === 'drop' || fault?.kind === 'stall' || fault?.kind === 'hold') {
      const first = body.subarray(0, fault.after);
      res.write(first, () => {
        if (fault.kind === 'drop' || fault.kind === 'hold') {
          // Waiting for the test's go keeps it deterministic: the client has written what it received.
          this.held.push(() => (fault.kind === 'drop' ? res.socket?.destroy() : res.end(body.subarray(fault.after))));
          for (const wake of this.heldWaiters.splice(0)) wake();
        }
        // 'stall': say nothing more; the client must give up on its own.
      });
      return;
    }
    res.end(body);
  }
}
