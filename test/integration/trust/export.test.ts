import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ImageId } from '../../../shared/api';
import { decodeImage } from '../../../main/image/decode';
import { readImageText } from '../../../main/image/readText';
import type { RunningServer } from '../../../main/server/server';
import type { AppServices } from '../../../main/services/app';
import { SaveGrants, saveGrantMs } from '../../../main/services/saveGrants';
import { photoPath } from '../shell/helpers';
import { type SocketClient, scratch, startApp, startServe } from './helpers';

const precious = '# my shell setup\nexport PATH=$HOME/bin:$PATH\n';

describe('serve mode: export is a download, the server writes no path the page names', () => {
  let services: AppServices;
  let server: RunningServer;
  let socket: SocketClient;
  let home: string;
  let id: ImageId;

  beforeAll(async () => {
    services = await startApp();
    ({ server, socket } = await startServe(services));
    home = scratch('trust-export-home');
    writeFileSync(join(home, '.bashrc'), precious);
    const opened = await socket.call('images:open', { path: photoPath('coffee') });
    if (!opened.ok) throw new Error(opened.error.message);
    id = (opened.value as { id: ImageId }).id;
  });

  afterAll(async () => {
    socket.close();
    await server.close();
    await services.dispose();
  });

  it.each([
    ['.bashrc', 'png'],
    ['notes.png', 'png'],
    ['coffee.jpg', 'jpeg'],
  ])('images:export to %s is refused and writes nothing', async (name, format) => {
    const path = join(home, name);
    expect(await socket.call('images:export', { id, path, format })).toMatchObject({
      ok: false,
      error: { code: 'invalid_argument' },
    });
    expect(readFileSync(join(home, '.bashrc'), 'utf8')).toBe(precious);
    if (name !== '.bashrc') expect(existsSync(path)).toBe(false);
  });

  it('says why in one line: the browser downloads instead', async () => {
    const answer = await socket.call('images:export', { id, path: join(home, 'x.png'), format: 'png' });
    expect(answer).toMatchObject({ ok: false, error: { message: /^in the browser, export downloads the image/ } });
    expect(await socket.call('dialogs:save', { defaultName: 'x.png', format: 'png' })).toMatchObject({
      ok: false,
      error: { code: 'invalid_argument' },
    });
  });

  it('images:encode answers the encoded file over the WebSocket, pixels and recipe intact', async () => {
    const answer = await socket.call('images:encode', { id, format: 'webp', quality: 90 });
    if (!answer.ok) throw new Error(answer.error.message);
    const { bytes } = answer.value as { bytes: Uint8Array };
    const decoded = await decodeImage(bytes);
    expect([decoded.format, decoded.width, decoded.height]).toEqual(['webp', 600, 400]);
    expect(await readImageText(bytes)).toEqual({});
  });
});

describe('desktop: export writes only the path the save dialog returned, once', () => {
  let services: AppServices;
  let dir: string;
  let answer: string | null = null;
  let id: ImageId;
  const asked: string[] = [];

  beforeAll(async () => {
    services = await startApp({
      showSaveDialog: (defaultName) => {
        asked.push(defaultName);
        return Promise.resolve(answer);
      },
    });
    dir = scratch('trust-export-desktop');
    writeFileSync(join(dir, '.bashrc'), precious);
    id = (await services.images.open({ path: photoPath('chelsea') })).id;
  });

  afterAll(async () => {
    await services.dispose();
  });

  const call = (channel: 'dialogs:save' | 'images:export', request: unknown) =>
    services.router.dispatch(channel, request, { transport: 'electron' });

  it('refuses a path the dialog never returned, and one the dialog returned for another format', async () => {
    const path = join(dir, 'chosen.png');
    expect(await call('images:export', { id, path, format: 'png' })).toMatchObject({
      ok: false,
      error: { message: /^export writes only to a file just chosen in the save dialog/ },
    });
    answer = join(dir, 'chosen.webp');
    expect(await call('dialogs:save', { defaultName: 'chelsea-edited.webp', format: 'webp' })).toEqual({
      ok: true,
      value: { path: answer },
    });
    expect(await call('images:export', { id, path: answer, format: 'png' })).toMatchObject({ ok: false });
    expect(existsSync(path) || existsSync(answer)).toBe(false);
  });

  it('writes the chosen path once; a second export to it must ask again', async () => {
    answer = join(dir, 'chosen.jpg');
    expect(await call('dialogs:save', { defaultName: 'chelsea-edited.jpg', format: 'jpeg' })).toMatchObject({
      ok: true,
    });
    expect(asked.at(-1)).toBe('chelsea-edited.jpg');
    const written = await call('images:export', { id, path: answer, format: 'jpeg', quality: 85 });
    expect(written).toMatchObject({ ok: true, value: { path: answer } });
    expect((await decodeImage(answer)).format).toBe('jpeg');
    expect(await call('images:export', { id, path: answer, format: 'jpeg' })).toMatchObject({ ok: false });
  });

  it('refuses a dialog answer whose extension is not the format’s, and never writes it', async () => {
    answer = join(dir, '.bashrc');
    expect(await call('dialogs:save', { defaultName: 'x.png', format: 'png' })).toMatchObject({
      ok: false,
      error: { code: 'invalid_argument', message: '.bashrc does not end in .png; a PNG file must' },
    });
    expect(await call('images:export', { id, path: answer, format: 'png' })).toMatchObject({ ok: false });
    expect(readFileSync(answer, 'utf8')).toBe(precious);
  });

  it('offers the save dialog a file name only: a path, a wrong extension or a bad option is refused in main', async () => {
    const before = asked.length;
    for (const [defaultName, why] of [
      ['../../.bashrc.png', 'a file name, not a path'],
      ['/home/me/x.png', 'a file name, not a path'],
      ['x.jpg', 'a PNG file name ends in .png'],
      ['x\u0007.png', 'control character'],
    ] as const) {
      expect(await call('dialogs:save', { defaultName, format: 'png' })).toMatchObject({
        ok: false,
        error: { code: 'invalid_argument', message: expect.stringContaining(why) as unknown },
      });
    }
    expect(asked.length).toBe(before); // the dialog never opened
    const bad = { id, format: 'jpeg', keepBlocks: 'yes' };
    expect(await services.router.dispatch('images:encode', bad, { transport: 'electron' })).toMatchObject({
      ok: false,
      error: { code: 'invalid_argument' },
    });
  });

  it('a grant expires after 10 minutes and is used up by any attempt', () => {
    let now = 0;
    const grants = new SaveGrants(() => now);
    grants.grant('/p/a.png', 'png');
    now = saveGrantMs + 1;
    expect(grants.take('/p/a.png', 'png')).toBe(false);
    grants.grant('/p/b.png', 'png');
    expect(grants.take('/p/b.png', 'jpeg')).toBe(false);
    expect(grants.take('/p/b.png', 'png')).toBe(false);
  });
});
