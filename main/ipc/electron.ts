import { type WebContents, type WebFrameMain, ipcMain } from 'electron';
import { channelNames, fail } from '../../shared/api';
import type { Emitter } from './emitter';
import type { Router } from './router';

/** Decides whether a frame may call the API: the app window's top frame showing the app's own page. */
export type SenderCheck = (frame: WebFrameMain | null) => boolean;

/**
 * Registers one `ipcMain.handle` per channel. Every call is checked for its sender (other frames, other pages
 * and navigated-away windows are refused) and answered with an envelope.
 */
export function registerIpc(router: Router, isTrustedSender: SenderCheck): () => void {
  for (const channel of channelNames) {
    ipcMain.handle(channel, async (event, request: unknown) => {
      if (!isTrustedSender(event.senderFrame)) {
        return fail({ code: 'invalid_argument', message: 'request from an untrusted frame' });
      }
      return router.dispatch(channel, request, { transport: 'electron' });
    });
  }
  return () => {
    for (const channel of channelNames) ipcMain.removeHandler(channel);
  };
}

/** Forwards every emitted event to a window until it is destroyed. */
export function forwardEvents(emitter: Emitter, contents: WebContents): void {
  const unsubscribe = emitter.subscribe((channel, payload) => {
    if (!contents.isDestroyed()) contents.send(channel, payload);
  });
  contents.once('destroyed', unsubscribe);
}
