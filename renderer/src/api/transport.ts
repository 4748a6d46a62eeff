import {
  ApiCallError,
  type Channel,
  type Envelope,
  type EventChannel,
  type IirBridge,
  type ImageId,
  type Subscribe,
  type WireMessage,
  decodeWireMessage,
  encodeWireMessage,
  splitChannel,
} from '../../../shared/api';
import { appImageUrl } from '../../../shared/api/appScheme';

/** How the client reaches main: Electron's preload bridge or serve mode's WebSocket. */
export interface Transport {
  readonly kind: 'electron' | 'websocket';
  invoke(channel: Channel, request: unknown): Promise<Envelope<unknown>>;
  readonly on: Subscribe;
  /** The URL an `<img>` loads a stored image from. */
  readonly imageUrl: (id: ImageId) => string;
}

/** The preload's `window.iir`. */
export function electronTransport(bridge: IirBridge): Transport {
  return {
    kind: 'electron',
    invoke(channel, request) {
      const { domain, verb } = splitChannel(channel);
      const group = (
        bridge as unknown as Record<string, Record<string, (request: unknown) => Promise<Envelope<unknown>>>>
      )[domain];
      const method = group?.[verb];
      if (!method) return Promise.reject(new Error(`the preload does not expose ${channel}`));
      return method(request);
    },
    on: bridge.on,
    imageUrl: (id) => appImageUrl(id),
  };
}

type Listener = (payload: unknown) => void;

/**
 * Serve mode: one WebSocket to `/api` on the page's own origin, the token passed on from the page URL (the
 * HttpOnly cookie set with the page covers reloads). Requests wait for the socket to open; if it closes, pending
 * calls fail with `io_error`.
 */
export function webSocketTransport(location: { protocol: string; host: string; search: string }): Transport {
  const token = new URLSearchParams(location.search).get('token');
  const query = token === null ? '' : `?token=${encodeURIComponent(token)}`;
  const socketUrl = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/api${query}`;
  const pending = new Map<number, (envelope: Envelope<unknown>) => void>();
  const listeners = new Map<string, Set<Listener>>();
  let nextId = 1;
  let socket: WebSocket | undefined;
  let opened: Promise<WebSocket> | undefined;

  const failAll = (): void => {
    for (const resolve of pending.values()) {
      resolve({ ok: false, error: { code: 'io_error', message: 'the connection to IIR Studio was closed' } });
    }
    pending.clear();
    socket = undefined;
    opened = undefined;
  };

  const connect = (): Promise<WebSocket> => {
    opened ??= new Promise<WebSocket>((resolve, reject) => {
      const ws = new WebSocket(socketUrl);
      ws.binaryType = 'arraybuffer';
      ws.onopen = () => {
        socket = ws;
        resolve(ws);
      };
      ws.onerror = () => reject(new ApiCallError({ code: 'io_error', message: 'cannot connect to IIR Studio' }));
      ws.onclose = failAll;
      ws.onmessage = (event: MessageEvent<ArrayBuffer>) => {
        const message = decodeWireMessage(new Uint8Array(event.data)) as WireMessage;
        if (message.t === 'res') {
          pending.get(message.id)?.(message.envelope);
          pending.delete(message.id);
        } else if (message.t === 'evt') {
          for (const listener of listeners.get(message.channel) ?? []) listener(message.payload);
        }
      };
    });
    return opened;
  };

  return {
    kind: 'websocket',
    async invoke(channel, request) {
      const ws = socket ?? (await connect());
      const id = nextId++;
      return new Promise<Envelope<unknown>>((resolve) => {
        pending.set(id, resolve);
        ws.send(encodeWireMessage({ t: 'req', id, channel, request }));
      });
    },
    on: ((channel: EventChannel, listener: Listener) => {
      let set = listeners.get(channel);
      if (!set) listeners.set(channel, (set = new Set()));
      set.add(listener);
      void connect().catch(() => undefined);
      return () => set.delete(listener);
    }) as Subscribe,
    imageUrl: (id) => `/image/${encodeURIComponent(id)}${query}`,
  };
}
