import { describe, expect, it } from 'vitest';
import { IirError } from '../../../shared/errors';
import { createEmitter } from '../../../main/ipc/emitter';
import type { Handlers } from '../../../main/ipc/handlers';
import { createRouter } from '../../../main/ipc/router';

/** Handlers where every channel runs `body` (the router is what is under test). */
function everyChannel(body: (request: unknown) => unknown): Handlers {
  return new Proxy({}, { get: () => body }) as Handlers;
}

const context = { transport: 'electron' } as const;

describe('the router', () => {
  it('maps IirError to its code, zod errors to invalid_argument and bugs to a safe internal message', async () => {
    const logged: string[] = [];
    const log = (message: string, error: unknown) => logged.push(`${message}: ${String(error)}`);
    const failing = createRouter(
      everyChannel(() => {
        throw new IirError('model_missing', 'no SD1.5 model installed');
      }),
      log,
    );
    expect(await failing.dispatch('settings:get', {}, context)).toEqual({
      ok: false,
      error: { code: 'model_missing', message: 'no SD1.5 model installed' },
    });
    const buggy = createRouter(
      everyChannel(() => {
        throw new TypeError('cannot read x of undefined at /home/me/secret.ts');
      }),
      log,
    );
    const envelope = await buggy.dispatch('jobs:list', {}, context);
    expect(envelope).toEqual({
      ok: false,
      error: { code: 'internal', message: 'Something went wrong inside IIR Studio; the details are in the log.' },
    });
    expect(logged).toEqual([
      'handler for jobs:list failed: TypeError: cannot read x of undefined at /home/me/secret.ts',
    ]);
    const echo = createRouter(everyChannel((request) => request));
    expect(await echo.dispatch('settings:set', { provider: 'cpu' }, context)).toEqual({
      ok: true,
      value: { provider: 'cpu' },
    });
    expect(await echo.dispatch('settings:set', { provider: 'purple' }, context)).toMatchObject({
      ok: false,
      error: { code: 'invalid_argument', message: expect.stringMatching(/^provider: /) as unknown },
    });
  });
});

describe('the emitter', () => {
  it('delivers checked events to every subscriber and refuses malformed payloads', () => {
    const emitter = createEmitter();
    const seen: unknown[] = [];
    const unsubscribe = emitter.subscribe((channel, payload) => seen.push([channel, payload]));
    emitter.emit('app:menu', { command: 'undo' });
    expect(() => emitter.emit('app:menu', { command: 'format-disk' } as never)).toThrow();
    unsubscribe();
    emitter.emit('app:menu', { command: 'redo' });
    expect(seen).toEqual([['app:menu', { command: 'undo' }]]);
  });
});
