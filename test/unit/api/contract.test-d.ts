import { describe, expectTypeOf, it } from 'vitest';
import type { Channel, Envelope, EventChannel, IirBridge, ResponseOf } from '../../../shared/api';
import type { Handlers } from '../../../main/ipc/handlers';
import type { createHandlers } from '../../../main/services/handlers';
import type { PreloadBridge } from '../../../preload/index';
import type { createClient } from '../../../renderer/src/api/client';

/** `'domain:verb'` for every method of an object grouped by domain. */
type ChannelsOf<T> = {
  [D in keyof T & string]: `${D}:${keyof T[D] & string}`;
}[keyof T & string];

type RendererClient = ReturnType<typeof createClient>;

describe('the API contract', () => {
  it('main registers a handler for exactly the channels of the map', () => {
    expectTypeOf<keyof ReturnType<typeof createHandlers>>().toEqualTypeOf<Channel>();
    expectTypeOf<ReturnType<typeof createHandlers>>().toEqualTypeOf<Handlers>();
  });

  it('the preload exposes exactly the same channels, answering envelopes', () => {
    expectTypeOf<ChannelsOf<Omit<PreloadBridge, 'on'>>>().toEqualTypeOf<Channel>();
    expectTypeOf<PreloadBridge>().toExtend<IirBridge>();
    expectTypeOf<ReturnType<PreloadBridge['edit']['start']>>().toEqualTypeOf<
      Promise<Envelope<ResponseOf<'edit:start'>>>
    >();
  });

  it('the renderer client covers exactly the same channels, answering values', () => {
    expectTypeOf<ChannelsOf<Omit<RendererClient, 'on' | 'imageUrl'>>>().toEqualTypeOf<Channel>();
    expectTypeOf<ReturnType<RendererClient['models']['pull']>>().toEqualTypeOf<Promise<ResponseOf<'models:pull'>>>();
    expectTypeOf<Parameters<RendererClient['on']>[0]>().toEqualTypeOf<EventChannel>();
  });
});
