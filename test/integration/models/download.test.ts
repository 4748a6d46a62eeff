import { spawn } from 'node:child_process';
import { createServer, type IncomingMessage } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { existsSync, statSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, stat, symlink, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { Agent } from 'undici';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CatalogModel } from '../../../main/models/catalogSchema';
import { removeModel } from '../../../main/models/manage';
import { pullModel, startPull, type PullEvent, type PullOptions } from '../../../main/models/pull';
import { cacheDir } from '../../setup/global';
import { HubServer, testBytes, type HostedFile } from './hubServer';

let server: HubServer;
let modelsDir: string;
const dispatcher = new Agent();

beforeEach(async () => {
  server = new HubServer();
  await server.start();
  await mkdir(join(cacheDir, 'models'), { recursive: true });
  modelsDir = await mkdtemp(join(cacheDir, 'models', 'dl-'));
});

afterEach(async () => {
  await server.stop();
});

const repo = 'org/repo';

function host(path: string, bytes: number, seed: number): HostedFile {
  return server.host(`${repo}/${path}`, testBytes(bytes, seed));
}

function model(paths: string[], id = 'test-model'): CatalogModel {
  return {
    id,
    title: 'Test model',
    role: 'tokenizer',
    license: 'mit',
    files: paths.map((path) => ({ url: server.catalogUrl(`${repo}/${path}`), path, bytes: null, sha256: null })),
  };
}

function options(m: CatalogModel, events: PullEvent[] = [], extra: Partial<PullOptions> = {}): PullOptions {
  return {
    modelsDir,
    model: m,
    license: null,
    hub: { endpoint: server.hubUrl, token: 'hf_secret_token' },
    dispatcher,
    stallMs: 5_000,
    backoffMs: () => 1,
    progressIntervalMs: 0,
    onEvent: (e) => events.push(e),
    ...extra,
  };
}

async function expectInstalled(id: string, path: string, file: HostedFile): Promise<void> {
  const bytes = await readFile(join(modelsDir, id, path));
  expect(bytes.equals(file.content)).toBe(true);
  expect(existsSync(join(modelsDir, id, `${path}.part`))).toBe(false);
}

function storageGets(path: string) {
  return server.requests('storage', `${repo}/${path}`).filter((r) => r.method === 'GET');
}

describe('pullModel against a real HTTP server', () => {
  it('downloads through hub redirects, sends the token only to the hub, verifies and writes a receipt', async () => {
    const a = host('a.bin', 300_000, 1);
    const b = host('sub/b.bin', 150_000, 2);
    const c = host('c.json', 1_000, 3);
    const events: PullEvent[] = [];
    const receipt = await pullModel(options(model(['a.bin', 'sub/b.bin', 'c.json']), events));
    await expectInstalled('test-model', 'a.bin', a);
    await expectInstalled('test-model', 'sub/b.bin', b);
    await expectInstalled('test-model', 'c.json', c);
    expect(receipt.files).toEqual([
      { path: 'a.bin', bytes: 300_000, sha256: a.sha256, checkedAgainst: 'hub' },
      { path: 'sub/b.bin', bytes: 150_000, sha256: b.sha256, checkedAgainst: 'hub' },
      { path: 'c.json', bytes: 1_000, sha256: c.sha256, checkedAgainst: 'hub' },
    ]);
    const onDisk = JSON.parse(await readFile(join(modelsDir, 'test-model', 'model.json'), 'utf8')) as typeof receipt;
    expect(onDisk.role).toBe('tokenizer');
    expect(onDisk.source.kind).toBe('download');
    expect(
      server.log.filter((r) => r.server === 'hub').every((r) => r.authorization === 'Bearer hf_secret_token'),
    ).toBe(true);
    expect(server.log.filter((r) => r.server === 'storage').every((r) => r.authorization === undefined)).toBe(true);
    const start = events.find((e) => e.type === 'start');
    expect(start?.type === 'start' && start.totalBytes).toBe(451_000);
    const last = events.filter((e) => e.type === 'progress').at(-1);
    expect(last?.type === 'progress' && last.doneBytes).toBe(451_000);
    expect(events.at(-1)?.type).toBe('done');
    expect(existsSync(join(modelsDir, 'test-model', '.pull.lock'))).toBe(false);
  });

  it('resumes with Range and If-Range after the connection drops mid-file', async () => {
    const a = host('a.bin', 400_000, 4);
    server.fault(`${repo}/a.bin`, { kind: 'drop', after: 123_456 });
    const events: PullEvent[] = [];
    await pullModel(options(model(['a.bin']), events, { onEvent: dropAt(123_456, events) }));
    await expectInstalled('test-model', 'a.bin', a);
    const gets = storageGets('a.bin');
    expect(gets).toHaveLength(2);
    const resumedAt = Number(/bytes=(\d+)-/.exec(gets[1]?.range ?? '')?.[1]);
    expect(resumedAt).toBe(123_456);
    expect(gets[1]?.ifRange).toBe(a.etag);
    expect(gets[1]?.status).toBe(206);
    expect(events.some((e) => e.type === 'retry')).toBe(true);
  });

  it('gives up on a stalled connection after the stall timeout and resumes', async () => {
    const a = host('a.bin', 200_000, 5);
    server.fault(`${repo}/a.bin`, { kind: 'stall', after: 50_000 });
    const events: PullEvent[] = [];
    await pullModel(options(model(['a.bin']), events, { stallMs: 300 }));
    await expectInstalled('test-model', 'a.bin', a);
    const retry = events.find((e) => e.type === 'retry');
    expect(retry?.type === 'retry' && retry.reason).toMatch(/TIMEOUT/);
    expect(storageGets('a.bin')[1]?.range).toMatch(/^bytes=\d+-$/);
  });

  it('retries 500 responses with back-off, then succeeds', async () => {
    const a = host('a.bin', 10_000, 6);
    server.fault(`${repo}/a.bin`, { kind: 'status', status: 500 }, { kind: 'status', status: 503 });
    const events: PullEvent[] = [];
    const delays: number[] = [];
    await pullModel(options(model(['a.bin']), events, { backoffMs: (n) => (delays.push(n), 1) }));
    await expectInstalled('test-model', 'a.bin', a);
    expect(events.filter((e) => e.type === 'retry').map((e) => e.type === 'retry' && e.reason)).toEqual([
      'HTTP 500',
      'HTTP 503',
    ]);
    expect(delays).toEqual([1, 2]);
  });

  it('gives up after maxAttempts failures without progress, keeping the .part', async () => {
    host('a.bin', 10_000, 7);
    server.fault(`${repo}/a.bin`, ...Array.from({ length: 3 }, () => ({ kind: 'status' as const, status: 502 })));
    await expect(pullModel(options(model(['a.bin']), [], { maxAttempts: 3 }))).rejects.toThrow(
      /failed 3 times in a row \(HTTP 502\)/,
    );
  });

  it('treats 416 on a complete .part as done after verifying it, without downloading again', async () => {
    const a = host('a.bin', 80_000, 8);
    await mkdir(join(modelsDir, 'test-model'), { recursive: true });
    await writeFile(join(modelsDir, 'test-model', 'a.bin.part'), a.content);
    await pullModel(options(model(['a.bin'])));
    await expectInstalled('test-model', 'a.bin', a);
    expect(storageGets('a.bin').map((r) => r.status)).toEqual([416]);
  });

  it('on 416 for a .part longer than the server file, keeps it aside as .bad and downloads again', async () => {
    const a = host('a.bin', 80_000, 9);
    const stale = Buffer.concat([a.content, testBytes(5_000, 99)]);
    await mkdir(join(modelsDir, 'test-model'), { recursive: true });
    await writeFile(join(modelsDir, 'test-model', 'a.bin.part'), stale);
    const events: PullEvent[] = [];
    await pullModel(options(model(['a.bin']), events));
    await expectInstalled('test-model', 'a.bin', a);
    expect((await readFile(join(modelsDir, 'test-model', 'a.bin.bad'))).equals(stale)).toBe(true);
    expect(events.some((e) => e.type === 'mismatch')).toBe(true);
  });

  it('when the server ignores Range, rewrites the .part in place without ever shortening it', async () => {
    const a = host('a.bin', 300_000, 10);
    server.fault(`${repo}/a.bin`, { kind: 'drop', after: 150_000 }, { kind: 'ignoreRange' });
    const events: PullEvent[] = [];
    let maxSeen = 0;
    let shrank = false;
    const hooks = {
      beforeWrite(path: string) {
        // Synchronous on purpose: the write it precedes must not start before the check.
        const size = existsSync(path) ? statSync(path).size : 0;
        if (size < maxSeen) shrank = true;
        maxSeen = Math.max(maxSeen, size);
      },
    };
    await pullModel(options(model(['a.bin']), events, { hooks, onEvent: dropAt(150_000, events) }));
    await expectInstalled('test-model', 'a.bin', a);
    expect(storageGets('a.bin')[1]?.range).toBe('bytes=150000-');
    expect(shrank).toBe(false);
    expect(maxSeen).toBeGreaterThan(0);
    const restart = events.find((e) => e.type === 'restart');
    expect(restart?.type === 'restart' && restart.reason).toMatch(/ignored the Range/);
    expect(storageGets('a.bin').map((r) => r.status)).toEqual([200, 200]);
  });

  it('starts from zero when If-Range says the file changed on the server', async () => {
    const a = host('a.bin', 60_000, 11);
    const dir = join(modelsDir, 'test-model');
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 'a.bin.part'), testBytes(20_000, 12));
    await writeFile(
      join(dir, 'a.bin.part.json'),
      JSON.stringify({ url: 'x', etag: '"old-version"', lastModified: null, total: 70_000, linkedSha256: null }),
    );
    const events: PullEvent[] = [];
    await pullModel(options(model(['a.bin']), events));
    await expectInstalled('test-model', 'a.bin', a);
    expect(storageGets('a.bin')[0]?.ifRange).toBe('"old-version"');
    const restart = events.find((e) => e.type === 'restart');
    expect(restart?.type === 'restart' && restart.reason).toMatch(/changed on the server/);
  });

  it('keeps wrong bytes aside as .bad, says so, and retries once from zero', async () => {
    const a = host('a.bin', 50_000, 13);
    server.fault(`${repo}/a.bin`, { kind: 'corrupt' });
    const events: PullEvent[] = [];
    await pullModel(options(model(['a.bin']), events));
    await expectInstalled('test-model', 'a.bin', a);
    const mismatch = events.find((e) => e.type === 'mismatch');
    expect(mismatch?.type === 'mismatch' && mismatch.expected).toBe(a.sha256);
    const bad = await readFile(join(modelsDir, 'test-model', 'a.bin.bad'));
    expect(bad.length).toBe(a.content.length);
    expect(bad.equals(a.content)).toBe(false);
  });

  it('fails clearly when the bytes are wrong twice, keeping the bad copy', async () => {
    host('a.bin', 50_000, 14);
    server.fault(`${repo}/a.bin`, { kind: 'corrupt' }, { kind: 'corrupt' });
    await expect(pullModel(options(model(['a.bin'])))).rejects.toThrow(
      /failed verification twice.*kept at .*a\.bin\.bad/,
    );
    expect(existsSync(join(modelsDir, 'test-model', 'a.bin.bad'))).toBe(true);
    expect(existsSync(join(modelsDir, 'test-model', 'model.json'))).toBe(false);
  });

  it('checks free space first (injected statfs) and writes nothing when it is short', async () => {
    host('a.bin', 50_000, 15);
    const statfs = () => Promise.resolve({ bavail: 10, bsize: 4096 });
    await expect(pullModel(options(model(['a.bin']), [], { statfs, diskMarginBytes: 0 }))).rejects.toThrow(
      /not enough free space.*needs 50 kB more/,
    );
    expect(storageGets('a.bin')).toHaveLength(0);
  });

  it('stops on a full disk (ENOSPC injected in the write path), keeps the .part, and the next pull resumes', async () => {
    const a = host('a.bin', 300_000, 16);
    // The disk takes bytes up to 100 000 and then reports ENOSPC, like a volume that fills up mid-write.
    const hooks = {
      limitWrite: (_path: string, position: number, length: number) =>
        Math.max(0, Math.min(length, 100_000 - position)),
    };
    await expect(pullModel(options(model(['a.bin']), [], { hooks }))).rejects.toThrow(/disk full while writing a\.bin/);
    const kept = (await stat(join(modelsDir, 'test-model', 'a.bin.part'))).size;
    expect(kept).toBe(100_000);
    await pullModel(options(model(['a.bin'])));
    await expectInstalled('test-model', 'a.bin', a);
    expect(storageGets('a.bin').at(-1)?.range).toBe(`bytes=${kept}-`);
  });

  it('fetches several files at once', async () => {
    const a = host('a.bin', 100_000, 23);
    const b = host('b.bin', 100_000, 24);
    server.fault(`${repo}/a.bin`, { kind: 'hold', after: 10_000 });
    server.fault(`${repo}/b.bin`, { kind: 'hold', after: 10_000 });
    const pulling = pullModel(options(model(['a.bin', 'b.bin']), [], { parallel: 2 }));
    // Both responses are in flight together: a sequential downloader would never get the second one started.
    await server.whenHeld(2);
    server.release();
    await pulling;
    await expectInstalled('test-model', 'a.bin', a);
    await expectInstalled('test-model', 'b.bin', b);
  });

  it('lets only one pull of a model run at a time', async () => {
    const a = host('a.bin', 200_000, 17);
    server.fault(`${repo}/a.bin`, { kind: 'hold', after: 70_000 });
    const first = pullModel(options(model(['a.bin'])));
    await server.whenHeld();
    await expect(pullModel(options(model(['a.bin'])))).rejects.toThrow(/already being downloaded by process/);
    await expect(removeModel(modelsDir, 'test-model')).rejects.toThrow(/already being downloaded/);
    server.release();
    await first;
    await expectInstalled('test-model', 'a.bin', a);
  });

  it('pause keeps the .part and the next pull resumes it', async () => {
    const a = host('a.bin', 200_000, 18);
    server.fault(`${repo}/a.bin`, { kind: 'hold', after: 90_000 });
    let reached!: () => void;
    const got = new Promise<void>((resolve) => (reached = resolve));
    const handle = startPull(
      options(model(['a.bin']), [], {
        onEvent: (e) => e.type === 'progress' && e.doneBytes >= 90_000 && reached(),
      }),
    );
    await got;
    handle.pause();
    await expect(handle.done).rejects.toThrow('paused');
    const kept = (await stat(join(modelsDir, 'test-model', 'a.bin.part'))).size;
    expect(kept).toBe(90_000);
    server.release();
    await pullModel(options(model(['a.bin'])));
    await expectInstalled('test-model', 'a.bin', a);
    expect(storageGets('a.bin').at(-1)?.range).toBe('bytes=90000-');
  });

  it('survives kill -9 of the downloading process: the stale lock is taken over and the download resumes', async () => {
    const a = host('a.bin', 300_000, 19);
    server.fault(`${repo}/a.bin`, { kind: 'hold', after: 120_000 });
    const m = model(['a.bin']);
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        join(import.meta.dirname, 'pullChild.ts'),
        JSON.stringify({ modelsDir, model: m, endpoint: server.hubUrl }),
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const exited = new Promise<NodeJS.Signals | null>((resolve) =>
      child.on('exit', (_code, signal) => resolve(signal)),
    );
    for await (const line of createInterface({ input: child.stdout })) {
      const event = JSON.parse(line) as PullEvent;
      if (event.type === 'progress' && event.doneBytes >= 120_000) break;
    }
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');
    expect(existsSync(join(modelsDir, 'test-model', '.pull.lock'))).toBe(true);
    expect((await stat(join(modelsDir, 'test-model', 'a.bin.part'))).size).toBe(120_000);
    server.release();
    await pullModel(options(m));
    await expectInstalled('test-model', 'a.bin', a);
    expect(storageGets('a.bin').at(-1)?.range).toBe('bytes=120000-');
  });

  it('skips an optional file the repository does not have, and leaves it out of the receipt', async () => {
    const a = host('a.bin', 1_000, 26);
    const m = model(['a.bin', 'model_index.json']);
    m.files[1] = { ...m.files[1]!, optional: true };
    const events: PullEvent[] = [];
    const receipt = await pullModel(options(m, events));
    await expectInstalled('test-model', 'a.bin', a);
    expect(receipt.files.map((f) => f.path)).toEqual(['a.bin']);
    expect(events.find((e) => e.type === 'skipped')).toMatchObject({ file: 'model_index.json' });
  });

  it('names a missing file (404) and a refused one (401) without retrying or leaking the token', async () => {
    await expect(pullModel(options(model(['missing.bin'])))).rejects.toThrow(/missing\.bin: not found .*HTTP 404/);
    host('gated.bin', 100, 20);
    server.fault(`${repo}/gated.bin`, { kind: 'status', status: 401 });
    const error = await pullModel(options(model(['gated.bin'], 'gated'))).then(
      () => new Error('expected a rejection'),
      (e: unknown) => e as Error,
    );
    expect(error.message).toMatch(/access denied \(HTTP 401\).*HF_TOKEN/);
    expect(error.message).not.toContain('hf_secret_token');
    expect(storageGets('gated.bin')).toHaveLength(1);
  });

  it('refuses plain http to a non-loopback host and manifest paths through a link', async () => {
    const m = model(['a.bin']);
    const remote = { ...m, files: [{ ...m.files[0]!, url: 'http://example.com/a.bin' }] };
    await expect(
      pullModel(options(remote, [], { hub: { endpoint: 'https://huggingface.co', token: null } })),
    ).rejects.toThrow(/must use https/);
    host('sub/x.bin', 100, 21);
    const dir = join(modelsDir, 'linked');
    await mkdir(dir, { recursive: true });
    await symlink(cacheDir, join(dir, 'sub'));
    await expect(pullModel(options(model(['sub/x.bin'], 'linked')))).rejects.toThrow(/sub is a link/);
  });

  it('goes through the proxy named by HTTP_PROXY (the default dispatcher reads the environment)', async () => {
    const a = host('a.bin', 50_000, 25);
    const proxied: string[] = [];
    // A minimal proxy: undici tunnels every request through CONNECT, so that is what it must serve.
    const proxy = createServer((_req, res) => res.writeHead(405).end());
    proxy.on('connect', (req: IncomingMessage, client: Socket, head: Buffer) => {
      proxied.push(req.url ?? '');
      const [host, port] = (req.url ?? '').split(':');
      const upstream = connect(Number(port), host ?? '127.0.0.1', () => {
        client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        upstream.write(head);
        upstream.pipe(client);
        client.pipe(upstream);
      });
      upstream.on('error', () => client.destroy());
      client.on('error', () => upstream.destroy());
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    const proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
    try {
      const m = model(['a.bin']);
      const child = spawn(
        process.execPath,
        [
          '--import',
          'tsx',
          join(import.meta.dirname, 'pullChild.ts'),
          JSON.stringify({ modelsDir, model: m, endpoint: server.hubUrl, defaultDispatcher: true }),
        ],
        {
          stdio: ['ignore', 'ignore', 'inherit'],
          env: { ...process.env, HTTP_PROXY: proxyUrl, http_proxy: proxyUrl, NO_PROXY: '', no_proxy: '' },
        },
      );
      const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
      expect(code).toBe(0);
      await expectInstalled('test-model', 'a.bin', a);
      expect(proxied).toContain(new URL(server.hubUrl).host);
      expect(proxied).toContain(new URL(server.storageUrl).host);
    } finally {
      proxy.closeAllConnections();
      await new Promise((resolve) => proxy.close(resolve));
    }
  });

  it('takes over a lock left by a dead process', async () => {
    const a = host('a.bin', 1_000, 22);
    const dead = spawn(process.execPath, ['-e', '']);
    const pid = dead.pid!;
    await new Promise((resolve) => dead.on('exit', resolve));
    const dir = join(modelsDir, 'test-model');
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, '.pull.lock'), JSON.stringify({ pid, host: hostname(), startedAt: '' }));
    await pullModel(options(model(['a.bin'])));
    await expectInstalled('test-model', 'a.bin', a);
  });
});

/** Records events and lets a held `drop` fault go once the client has written `bytes`. */
function dropAt(bytes: number, events: PullEvent[]): (e: PullEvent) => void {
  return (e) => {
    events.push(e);
    if (e.type === 'progress' && e.doneBytes >= bytes) server.release();
  };
}
