import type { z } from 'zod';
import type { eventChannels, requestChannels } from './channels';
import type { Envelope } from './envelope';

/** A request channel name, `'domain:verb'`. */
export type Channel = keyof typeof requestChannels;
/** An event channel name. */
export type EventChannel = keyof typeof eventChannels;

/** What a caller passes on `C` (before defaults are applied). */
export type RequestInput<C extends Channel> = z.input<(typeof requestChannels)[C]['request']>;
/** What a handler of `C` receives (validated, defaults applied). */
export type RequestOf<C extends Channel> = z.output<(typeof requestChannels)[C]['request']>;
/** What `C` answers. */
export type ResponseOf<C extends Channel> = z.output<(typeof requestChannels)[C]['response']>;
/** The payload of event `E`. */
export type EventPayload<E extends EventChannel> = z.output<(typeof eventChannels)[E]>;

/** The domain part of a channel name. */
export type DomainOf<C extends string> = C extends `${infer D}:${string}` ? D : never;
/** The verb part of a channel name. */
export type VerbOf<C extends string> = C extends `${string}:${infer V}` ? V : never;
/** The API's domains. */
export type Domain = DomainOf<Channel>;
/** The channel `domain:verb`. */
export type ChannelOf<D extends Domain, V extends string> = Extract<`${D}:${V}`, Channel>;

/** Subscribe to an event channel; returns the function that unsubscribes. */
export type Subscribe = <E extends EventChannel>(
  channel: E,
  listener: (payload: EventPayload<E>) => void,
) => () => void;

/**
 * `window.iir`, as the preload exposes it: the channels grouped by domain, each answering an {@link Envelope}
 * (errors thrown across Electron IPC keep only their message), plus `on` for events.
 */
export type IirBridge = {
  readonly [D in Domain]: {
    readonly [C in Channel as DomainOf<C> extends D ? VerbOf<C> : never]: (
      request: RequestInput<C>,
    ) => Promise<Envelope<ResponseOf<C>>>;
  };
} & { readonly on: Subscribe };

/** The renderer's client: the same shape as {@link IirBridge}, but answers values and throws `ApiCallError`. */
export type IirClient = {
  readonly [D in Domain]: {
    readonly [C in Channel as DomainOf<C> extends D ? VerbOf<C> : never]: (
      request: RequestInput<C>,
    ) => Promise<ResponseOf<C>>;
  };
} & { readonly on: Subscribe };
