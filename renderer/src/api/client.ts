import { ApiCallError, type IirClient, type ImageId, channelNames, splitChannel } from '../../../shared/api';
import { type Transport, electronTransport, webSocketTransport } from './transport';

/** The client over a transport: the same shape as `window.iir`, but answers values and throws `ApiCallError`. */
export function createClient(transport: Transport): IirClient & { imageUrl(id: ImageId): string } {
  const client: Record<string, Record<string, (request: unknown) => Promise<unknown>>> = {};
  for (const channel of channelNames) {
    const { domain, verb } = splitChannel(channel);
    (client[domain] ??= {})[verb] = async (request: unknown) => {
      const envelope = await transport.invoke(channel, request);
      if (!envelope.ok) throw new ApiCallError(envelope.error);
      return envelope.value;
    };
  }
  return Object.assign(client as unknown as IirClient, { on: transport.on, imageUrl: transport.imageUrl });
}

/** Electron when the preload exposed `window.iir`, else serve mode's WebSocket on the page's origin. */
export function detectTransport(target: Window = window): Transport {
  return target.iir ? electronTransport(target.iir) : webSocketTransport(target.location);
}

let shared: ReturnType<typeof createClient> | undefined;

/** The app's one client (the only reader of `window.iir` or the WebSocket). */
export function api(): ReturnType<typeof createClient> {
  shared ??= createClient(detectTransport());
  return shared;
}

/** True in the desktop app (native dialogs; main writes files), false in a browser on serve mode. */
export function isDesktopApp(target: Window = window): boolean {
  return Boolean(target.iir);
}
