import { execFileSync } from 'node:child_process';
import { truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppServices } from '../../../main/services/app';
import { scratch, startApp } from './helpers';

const secret = 'hunter2-S3CRET-7f1c9ab2e4';

let services: AppServices;
let dir: string;

beforeAll(async () => {
  services = await startApp();
  dir = scratch('trust-catalogs');
});

afterAll(async () => {
  await services.dispose();
});

/** Every run of 4 or more characters of the secret: none may appear in an error. */
function pieces(text: string): string[] {
  const out: string[] = [];
  for (let i = 0; i + 4 <= text.length; i++) out.push(text.slice(i, i + 4));
  return out;
}

describe('the catalogs setting never quotes the files it names', () => {
  it.each([
    ['a shadow-like text file', `root:${secret}:19000:0:99999:7:::\n`],
    ['JSON that breaks off', `{"licenses": [], "token": "${secret}`],
    ['JSON with the secret as a key', `{"licenses": [], "roles": {}, "models": [], "bundles": [], "${secret}": 1}`],
    [
      'JSON with the secret as a nested key',
      `{"licenses": [], "roles": {"${secret}": {}}, "models": [], "bundles": []}`,
    ],
    [
      'JSON with the secret as a value',
      `{"licenses": [], "roles": {}, "models": [{"id": "${secret}"}], "bundles": []}`,
    ],
  ])('%s: a one-line error naming the file, without its contents', async (name, text) => {
    const file = join(dir, `${name.replace(/\W+/g, '-')}.txt`);
    await writeFile(file, text);
    const set = await services.router.dispatch('settings:set', { catalogs: [file] }, { transport: 'websocket' });
    expect(set.ok).toBe(true);
    const envelope = await services.router.dispatch('models:catalog', {}, { transport: 'websocket' });
    expect(envelope).toMatchObject({ ok: false, error: { code: 'invalid_argument' } });
    const message = envelope.ok ? '' : envelope.error.message;
    expect(message).toContain(file);
    expect(message).not.toContain('\n');
    for (const piece of pieces(secret)) expect(message.replace(file, '')).not.toContain(piece);
  });

  it.each([
    ['/dev/zero', /^cannot open catalog \/dev\/zero: it is a device, not a catalog file$/],
    ['pipe', /^cannot open catalog .*pipe\.json: it is a named pipe \(FIFO\), not a catalog file$/],
    ['sparse', /^cannot open catalog .*sparse\.json: it is 4096 MiB; the limit is 8\.0 MiB$/],
  ])('%s: refused by name before anything is read', { timeout: 10_000 }, async (name, message) => {
    let file = name;
    if (name === 'pipe') execFileSync('mkfifo', [(file = join(dir, 'pipe.json'))]);
    if (name === 'sparse') await writeFile((file = join(dir, 'sparse.json')), '').then(() => truncate(file, 2 ** 32));
    await services.router.dispatch('settings:set', { catalogs: [file] }, { transport: 'websocket' });
    const before = process.memoryUsage().rss;
    const envelope = await services.router.dispatch('models:catalog', {}, { transport: 'websocket' });
    expect(envelope).toMatchObject({ ok: false, error: { code: 'invalid_argument', message } });
    expect(process.memoryUsage().rss - before).toBeLessThan(64 * 1024 * 1024);
  });
});
