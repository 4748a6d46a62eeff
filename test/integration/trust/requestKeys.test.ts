import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../../main/server/server';
import type { AppServices } from '../../../main/services/app';
import { type SocketClient, startApp, startServe } from './helpers';

let services: AppServices;
let server: RunningServer;
let socket: SocketClient;

beforeAll(async () => {
  services = await startApp();
  ({ server, socket } = await startServe(services));
});

afterAll(async () => {
  socket.close();
  await server.close();
  await services.dispose();
});

const refused = (key: string) => ({
  ok: false,
  error: { code: 'invalid_argument', message: `the request may not contain a field named "${key}"` },
});

describe('prototype keys never pass validation', () => {
  it.each([
    ['__proto__', '{"providerPerRole": {"__proto__": {"unet": "cpu"}}}'],
    ['__proto__', '{"__proto__": {"lowMemory": true}, "lowMemory": false}'],
    ['constructor', '{"providerPerRole": {"constructor": "cpu"}}'],
    ['prototype', '{"catalogs": [{"prototype": 1}]}'],
  ])('the router refuses "%s" in settings:set (%s)', async (key, json) => {
    const before = services.settings.get();
    const envelope = await services.router.dispatch('settings:set', JSON.parse(json), { transport: 'electron' });
    expect(envelope).toEqual(refused(key));
    expect(services.settings.get()).toEqual(before);
    expect(Object.getPrototypeOf(services.settings.get().providerPerRole)).toBe(Object.prototype);
  });

  it('a serve-mode WebSocket request with "__proto__" is refused by name, not applied or silently dropped', async () => {
    const before = services.settings.get();
    const planted = (request: string, id: number) =>
      `{"m":{"t":"req","id":${id},"channel":"settings:set","request":${request}},"b":[]}`;
    expect(await socket.sendRaw(planted('{"__proto__":{"lowMemory":true}}', 101), 101)).toEqual(refused('__proto__'));
    expect(await socket.sendRaw(planted('{"providerPerRole":{"__proto__":{"unet":"cpu"}}}', 102), 102)).toEqual(
      refused('__proto__'),
    );
    expect(services.settings.get()).toEqual(before);
    expect(await socket.call('settings:set', { lowMemory: true })).toMatchObject({
      ok: true,
      value: { lowMemory: true },
    });
  });
});
