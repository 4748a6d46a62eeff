import type { Channel, RequestOf, ResponseOf } from '../../shared/api';

/** Who sent a request: the Electron window's main frame, or an authenticated serve-mode WebSocket connection. */
export interface CallContext {
  readonly transport: 'electron' | 'websocket';
}

/** One handler per request channel, receiving the validated request (defaults applied). */
export type Handlers = {
  readonly [C in Channel]: (request: RequestOf<C>, context: CallContext) => Promise<ResponseOf<C>> | ResponseOf<C>;
};
