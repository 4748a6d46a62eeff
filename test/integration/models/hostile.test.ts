import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Agent } from 'undici';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CatalogModel } from '../../../main/models/catalogSchema';
import { fetchText } from '../../../main/models/http';
import { pullModel, type PullOptions } from '../../../main/models/pull';
import { verification } from '../../../main/models/receipt';
import { cacheDir } from '../../setup/global';
import { HubServer, testBytes } from './hubServer';
import { selfSignedCert, startRaw, streamWithoutLength } from './hostileServer';

let modelsDir: string;
const closers: (() => Promise<void>)[] = [];

beforeEach(async () => {
  await mkdir(join(cacheDir, 'models'), { recursive: true });
  modelsDir = await mkdtemp(join(cacheDir, 'models', 'hostile-'));
});

afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

function oneFile(url: string, extra: Partial<CatalogModel['files'][number]> = {}): CatalogModel {
  return {
    id: 'hostile',
    title: 'Hostile',
    role: 'tokenizer',
    license: 'mit',
    files: [{ url, path: 'a.bin', bytes: null, sha256: null, ...extra }],
  };
}

function options(model: CatalogModel, extra: Partial<PullOptions> = {}): PullOptions {
  return {
    modelsDir,
    model,
    license: null,
    hub: { endpoint: 'https://huggingface.co', token: null },
    dispatcher: new Agent(),
    stallMs: 5_000,
    backoffMs: () => 1,
    maxAttempts: 2,
    ...extra,
  };
}

const installed = (): boolean => existsSync(join(modelsDir, 'hostile', 'model.json'));

describe('downloads refuse what a hostile server sends', () => {
  it('refuses an https hub that redirects to plain http (a downgrade), and installs nothing', async (context) => {
    const tls = selfSignedCert();
    if (!tls) return context.skip('openssl is not installed (apt-get install openssl)');
    const plain = await startRaw((_req, res) => res.writeHead(200, { 'content-length': '4' }).end('evil'));
    closers.push(plain.close);
    const hub = await startRaw((_req, res) => res.writeHead(302, { location: `${plain.url}/a.bin` }).end(), tls);
    closers.push(hub.close);
    const dispatcher = new Agent({ connect: { rejectUnauthorized: false } });
    await expect(pullModel(options(oneFile(`${hub.url}/a.bin`), { dispatcher }))).rejects.toThrow(
      /redirected to plain http.*refusing the downgrade/,
    );
    expect(installed()).toBe(false);
  });

  it('stops a file nobody declared a size for at the cap, and keeps none of it', async () => {
    const server = await startRaw((_req, res) => streamWithoutLength(res, 3 * 1024 * 1024));
    closers.push(server.close);
    await expect(
      pullModel(options(oneFile(`${server.url}/a.bin`), { maxUndeclaredBytes: 1024 * 1024 })),
    ).rejects.toThrow(/sent more than 1\.0 MB without declaring a size/);
    expect(installed()).toBe(false);
    expect(existsSync(join(modelsDir, 'hostile', 'a.bin.part'))).toBe(false);
  });

  it('never writes past the catalog size, even when the server announces more', async () => {
    const server = await startRaw((_req, res) =>
      res.writeHead(200, { 'content-length': '50000' }).end(testBytes(50_000, 3)),
    );
    closers.push(server.close);
    let furthest = 0;
    const hooks = {
      beforeWrite: (_p: string, position: number, length: number) =>
        void (furthest = Math.max(furthest, position + length)),
    };
    await expect(pullModel(options(oneFile(`${server.url}/a.bin`, { bytes: 1_000 }), { hooks }))).rejects.toThrow(
      /failed verification twice \(size: expected 1000 bytes, the server sent more\)/,
    );
    expect(furthest).toBeLessThanOrEqual(1_000);
    expect(installed()).toBe(false);
  });

  it('refuses an empty file', async () => {
    const server = await startRaw((_req, res) => res.writeHead(200, { 'content-length': '0' }).end());
    closers.push(server.close);
    await expect(pullModel(options(oneFile(`${server.url}/a.bin`)))).rejects.toThrow(/sent an empty file/);
    expect(installed()).toBe(false);
  });

  it('records a file with no published SHA-256 as unverified, and one the hub vouched for as verified', async () => {
    const hub = new HubServer();
    await hub.start();
    closers.push(() => hub.stop());
    hub.host('org/repo/a.bin', testBytes(10_000, 5));
    const model = oneFile(hub.catalogUrl('org/repo/a.bin'));
    const hubConfig = { endpoint: hub.hubUrl, token: null };
    hub.publishHashes = false;
    const unchecked = await pullModel(options(model, { hub: hubConfig }));
    expect(unchecked.files[0]?.checkedAgainst).toBe('none');
    expect(verification(unchecked)).toBe('unverified');
    const onDisk = JSON.parse(await readFile(join(modelsDir, 'hostile', 'model.json'), 'utf8')) as typeof unchecked;
    expect(verification(onDisk)).toBe('unverified');
    hub.publishHashes = true;
    const checked = await pullModel(options({ ...model, id: 'vouched' }, { hub: hubConfig }));
    expect(checked.files[0]?.checkedAgainst).toBe('hub');
    expect(verification(checked)).toBe('verified');
  });

  it('checks the disk reserve again while writing, and stops (keeping the .part) when it runs low', async () => {
    const server = await startRaw((_req, res) => streamWithoutLength(res, 2 * 1024 * 1024));
    closers.push(server.close);
    // Another program fills the disk while the pull runs: once 512 kB are written, only 100 kB are left.
    const part = join(modelsDir, 'hostile', 'a.bin.part');
    const written = async () => (existsSync(part) ? (await stat(part)).size : 0);
    const statfs = async () => ({ bavail: (await written()) >= 512 * 1024 ? 25 : 1e6, bsize: 4096 });
    const pulling = pullModel(
      options(oneFile(`${server.url}/a.bin`), { statfs, diskMarginBytes: 1024 * 1024, reserveCheckBytes: 256 * 1024 }),
    );
    await expect(pulling).rejects.toThrow(/disk full: 102 kB left .* below the 1\.0 MB kept free/);
    expect(installed()).toBe(false);
    const kept = await written();
    expect(kept).toBeGreaterThanOrEqual(512 * 1024);
    expect(kept).toBeLessThan(1024 * 1024);
  });
});

describe('catalog URLs are fetched with a size cap and a timeout', () => {
  it('refuses a catalog larger than the cap, with or without a declared length', async () => {
    const big = await startRaw((req, res) => {
      if (req.url === '/declared')
        return void res.writeHead(200, { 'content-length': String(6 * 2 ** 20) }).end(Buffer.alloc(6 * 2 ** 20, 32));
      streamWithoutLength(res, 6 * 2 ** 20);
    });
    closers.push(big.close);
    await expect(fetchText(`${big.url}/declared`)).rejects.toThrow(/larger than 4194304 bytes/);
    await expect(fetchText(`${big.url}/chunked`)).rejects.toThrow(/larger than 4194304 bytes/);
  });

  it('gives up on a catalog that trickles in slower than the timeout', async () => {
    const slow = await startRaw((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      const timer = setInterval(() => res.write(' '), 50);
      res.on('close', () => clearInterval(timer));
    });
    closers.push(slow.close);
    await expect(fetchText(`${slow.url}/c.json`, undefined, { timeoutMs: 500 })).rejects.toThrow(
      /did not answer within 1 s|did not answer within 0 s/,
    );
  }, 5_000);
});
