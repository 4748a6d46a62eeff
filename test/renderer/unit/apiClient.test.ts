import { describe, expect, it } from 'vitest';
import { type Channel, channelNames } from '../../../shared/api';
import { createClient } from '../../../renderer/src/api/client';
import type { Transport } from '../../../renderer/src/api/transport';

// The client's shape is cast from the channel map, so a type test cannot see a channel it fails to build; this
// checks the object it actually builds: one function per channel, each calling the transport with that channel.

describe('the renderer API client', () => {
  it('has exactly one function per API channel, each invoking that channel', async () => {
    const invoked: Channel[] = [];
    const transport: Transport = {
      kind: 'websocket',
      invoke: (channel) => {
        invoked.push(channel);
        return Promise.resolve({ ok: true, value: channel });
      },
      on: () => () => undefined,
      imageUrl: (id) => `/image/${id}`,
    };
    const client = createClient(transport) as unknown as Record<string, unknown>;
    const built = Object.entries(client)
      .filter(([key]) => key !== 'on' && key !== 'imageUrl')
      .flatMap(([domain, verbs]) => Object.keys(verbs as object).map((verb) => `${domain}:${verb}`))
      .sort();
    expect(built).toEqual([...channelNames].sort());
    for (const channel of channelNames) {
      const [domain, verb] = channel.split(':') as [string, string];
      const call = (client[domain] as Record<string, (request: unknown) => Promise<unknown>>)[verb]!;
      expect(await call({})).toBe(channel);
    }
    expect(invoked).toEqual(channelNames);
  });
});
