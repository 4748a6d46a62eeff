import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { channelNames } from '../../../shared/api';
import type { AppServices } from '../../../main/services/app';
import { readImageText } from '../../../main/image/readText';
import { cacheDir } from '../../setup/global';
import { call, photoPath, startServices } from './helpers';

let services: Awaited<ReturnType<typeof startServices>>;
beforeAll(async () => {
  services = await startServices();
});
afterAll(async () => {
  await services.dispose();
});

async function errorOf(app: AppServices, channel: unknown, request: unknown) {
  const envelope = await app.router.dispatch(channel, request, { transport: 'websocket' });
  expect(envelope.ok).toBe(false);
  return envelope.ok ? undefined : envelope.error;
}

describe('the request handlers', () => {
  it('refuses a wrong-typed payload on every channel with invalid_argument', async () => {
    for (const channel of channelNames) {
      for (const request of [42, 'text', null, [1, 2], { unexpected: true }]) {
        const error = await errorOf(services, channel, request);
        expect(error?.code, `${channel} ${JSON.stringify(request)}`).toBe('invalid_argument');
      }
    }
  });

  it('refuses missing fields, huge strings, path traversal and unknown channels, and keeps serving', async () => {
    const image = await call(services, 'images:open', { path: photoPath('chelsea') });
    const cases: [string, unknown, RegExp][] = [
      ['images:open', {}, /./],
      ['images:open', { path: '/home/user/../../etc/passwd' }, /"\.\." segments/],
      ['images:open', { path: 'photo.png' }, /absolute/],
      ['images:open', { path: `/${'a'.repeat(100_000)}` }, /too long/],
      ['images:open', { path: '/tmp/a\0b.png' }, /NUL/],
      ['images:open', { bytes: 'iVBORw0KGgo=' }, /./],
      ['images:info', { id: '../../etc/passwd' }, /image id/],
      ['images:export', { id: image.id, path: '/tmp/../../root/x.png', format: 'png' }, /segments/],
      ['images:export', { id: image.id, path: '/tmp/x.bmp', format: 'bmp' }, /./],
      ['images:export', { id: image.id, path: '/tmp/x.jpg', format: 'jpeg', quality: 1000 }, /./],
      ['edit:start', { imageId: image.id, roi: { mask: { width: 1, height: 1 } }, params: { prompt: 'x' } }, /./],
      ['edit:start', { imageId: image.id, roi: { maskId: image.id }, params: { prompt: 'x'.repeat(1_000_000) } }, /./],
      ['edit:start', { imageId: image.id, roi: { maskId: image.id }, params: { prompt: 'a', steps: -3 } }, /./],
      ['edit:start', { imageId: image.id, roi: { maskId: image.id }, params: { prompt: 'a', size: 500 } }, /./],
      ['jobs:cancel', { jobId: 5 }, /./],
      ['jobs:events', { jobId: 'job_unknown' }, /no job/],
      ['segment:start', { imageId: image.id }, /text, a box or points/],
      ['models:pull', { ids: ['../../evil'] }, /model id/],
      ['models:import', { path: '/models/../../etc', id: 'x' }, /segments/],
      ['models:remove', { id: '..' }, /./],
      ['settings:set', { lowMemory: 'yes' }, /./],
      ['settings:set', { lowMemory: true, unknownField: 1 }, /./],
      ['settings:set', { modelsDir: 'x'.repeat(10_000) }, /./],
      ['nope:nope', {}, /unknown channel/],
      ['__proto__', {}, /unknown channel/],
      ['constructor', {}, /unknown channel/],
    ];
    for (const [channel, request, message] of cases) {
      const error = await errorOf(services, channel, request);
      expect(error?.code, `${channel} ${JSON.stringify(request).slice(0, 80)}`).toBe('invalid_argument');
      expect(error?.message).toMatch(message);
      expect(error?.message.length).toBeLessThanOrEqual(200);
    }
    expect(await call(services, 'settings:get', {})).toMatchObject({ provider: 'auto' });
    expect(await call(services, 'images:info', { id: image.id })).toMatchObject({ width: 451, height: 300 });
  });

  it('answers expected failures with their own code and one human line', async () => {
    const missing = await errorOf(services, 'images:open', { path: join(cacheDir, 'no-such-photo.png') });
    expect(missing?.code).not.toBe('internal');
    expect(missing?.message).toMatch(/no-such-photo\.png/);
    const notAnImage = await errorOf(services, 'images:open', {
      bytes: new TextEncoder().encode('hello'),
      name: 'x.png',
    });
    expect(notAnImage).toEqual({ code: 'invalid_argument', message: expect.stringMatching(/not an image/) as unknown });
    const gone = await errorOf(services, 'images:info', { id: 'img_0000' });
    expect(gone?.code).toBe('not_found');
    const mismatch = await call(services, 'images:open', { path: photoPath('chelsea') });
    const wrongMask = await errorOf(services, 'edit:start', {
      imageId: mismatch.id,
      roi: { mask: { width: 2, height: 2, data: new Uint8Array(4) } },
      params: { prompt: 'a cat' },
    });
    expect(wrongMask?.message).toMatch(/mask is 2×2, the image 451×300/);
  });

  it('opens, serves as PNG and exports images with metadata, atomically', async () => {
    const bytes = readFileSync(photoPath('coffee'));
    const image = await call(services, 'images:open', { bytes, name: 'coffee.png' });
    expect(image).toMatchObject({ kind: 'original', width: 600, height: 400, name: 'coffee.png', path: null });
    const png = await services.images.png(image.id);
    expect([...png.subarray(1, 4)]).toEqual([0x50, 0x4e, 0x47]);
    const out = join(mkdtempSync(join(cacheDir, 'export-')), 'coffee.jpg');
    await services.images.export(image.id, out, { format: 'jpeg', quality: 80, metadata: true });
    expect(statSync(out).size).toBeGreaterThan(1000);
    expect(await readImageText(out)).toEqual({});
    const encoded = await call(services, 'images:encode', { id: image.id, format: 'jpeg', quality: 80 });
    expect([...encoded.bytes.subarray(0, 3)]).toEqual([0xff, 0xd8, 0xff]);
    expect(await call(services, 'images:release', { id: image.id })).toEqual({ released: true });
    expect((await errorOf(services, 'images:info', { id: image.id }))?.code).toBe('not_found');
  });

  it('reads and writes settings through the API', async () => {
    expect(await call(services, 'settings:set', { provider: 'cpu', lowMemory: true })).toMatchObject({
      provider: 'cpu',
      lowMemory: true,
    });
    expect(await call(services, 'settings:get', {})).toMatchObject({ provider: 'cpu', lowMemory: true });
    await call(services, 'settings:set', { provider: 'auto', lowMemory: false });
  });

  it('takes a hub token but never gives it back to the renderer', async () => {
    const token = 'hf_secret_token_value';
    const answered = await call(services, 'settings:set', { hubToken: token });
    expect(answered.hasHubToken).toBe(true);
    expect(JSON.stringify(answered)).not.toContain(token);
    const read = await call(services, 'settings:get', {});
    expect(read.hasHubToken).toBe(true);
    expect(JSON.stringify(read)).not.toContain(token);
    expect(await call(services, 'settings:set', { hubToken: null })).toMatchObject({ hasHubToken: false });
  });

  it('lists the fixture models and their disk usage', async () => {
    const installed = await call(services, 'models:installed', {});
    expect(installed.models.map((m) => m.id)).toEqual(expect.arrayContaining(['sd15', 'controlnet-iir']));
    const usage = await call(services, 'models:diskUsage', {});
    expect(usage.totalBytes).toBeGreaterThan(0);
  });

  it('runs the provider pre-flight in the engine process', async () => {
    const devices = await call(services, 'devices:providers', {});
    expect(devices.auto).toBe('cpu');
    expect(devices.providers.find((p) => p.name === 'cpu')).toMatchObject({ isShipped: true, isWorking: true });
    expect(services.engines.pids().auto).toBeGreaterThan(0);
    expect(services.engines.pids().auto).not.toBe(process.pid);
  });
});
