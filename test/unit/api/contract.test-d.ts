import { describe, expectTypeOf, it } from 'vitest';
import type { Channel, Envelope, IirBridge, ResponseOf } from '../../../shared/api';
import type { PreloadBridge } from '../../../preload/index';

/** `'domain:verb'` for every method of an object grouped by domain. */
type ChannelsOf<T> = {
  [D in keyof T & string]: `${D}:${keyof T[D] & string}`;
}[keyof T & string];

// What only the types can say: the preload bridge is written by hand, so its channels and answers are checked
// against the map here. main's handlers and the renderer client are typed from the map itself; what they hold is
// checked at run time (test/unit/api/contract.test.ts, test/renderer/unit/apiClient.test.ts).
describe('the API contract', () => {
  it('the preload exposes exactly the same channels, answering envelopes', () => {
    expectTypeOf<ChannelsOf<Omit<PreloadBridge, 'on'>>>().toEqualTypeOf<Channel>();
    expectTypeOf<PreloadBridge>().toExtend<IirBridge>();
    expectTypeOf<ReturnType<PreloadBridge['edit']['start']>>().toEqualTypeOf<
      Promise<Envelope<ResponseOf<'edit:start'>>>
    >();
  });

  it('fails for a preload with a planted mistake (each check above can fail)', () => {
    type MissingChannel = Omit<PreloadBridge, 'devices' | 'on'>;
    type WrongListener = Omit<PreloadBridge, 'on'> & { on(channel: 'nope', listener: () => void): () => void };
    type WrongAnswer = { start(request: unknown): Promise<Envelope<{ id: string }>> };
    // @ts-expect-error a channel is missing
    expectTypeOf<ChannelsOf<MissingChannel>>().toEqualTypeOf<Channel>();
    // @ts-expect-error the event listener is not the bridge's
    expectTypeOf<WrongListener>().toExtend<IirBridge>();
    // @ts-expect-error edit:start answers another shape
    expectTypeOf<ReturnType<WrongAnswer['start']>>().toEqualTypeOf<Promise<Envelope<ResponseOf<'edit:start'>>>>();
  });
});
