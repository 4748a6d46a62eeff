import type { Envelope, EventChannel } from '../../../shared/api';

/**
 * A fake of the project's own preload bridge (the renderer's client reads window.iir): every request is recorded
 * and answered by `answer`; events are delivered with `emit`.
 */
export interface FakeBridge {
  readonly calls: { channel: string; request: unknown }[];
  answer: (channel: string, request: unknown) => Envelope<unknown>;
  emit(channel: EventChannel, payload: unknown): void;
  /** The requests sent on `channel`, in order. */
  sent(channel: string): unknown[];
}

export function installFakeBridge(domains: Record<string, readonly string[]>): FakeBridge {
  const listeners = new Map<string, Set<(payload: unknown) => void>>();
  const bridge: FakeBridge = {
    calls: [],
    answer: () => ({ ok: true, value: {} }),
    emit(channel, payload) {
      for (const listener of listeners.get(channel) ?? []) listener(payload);
    },
    sent: (channel) => bridge.calls.filter((c) => c.channel === channel).map((c) => c.request),
  };
  const value: Record<string, unknown> = {
    on: (channel: string, listener: (payload: unknown) => void) => {
      let set = listeners.get(channel);
      if (!set) listeners.set(channel, (set = new Set()));
      set.add(listener);
      return () => set.delete(listener);
    },
  };
  for (const [domain, verbs] of Object.entries(domains)) {
    value[domain] = Object.fromEntries(
      verbs.map((verb) => [
        verb,
        (request: unknown) => {
          const channel = `${domain}:${verb}`;
          bridge.calls.push({ channel, request });
          return Promise.resolve(bridge.answer(channel, request));
        },
      ]),
    );
  }
  Object.defineProperty(window, 'iir', { configurable: true, value });
  return bridge;
}

/** Lets pending promises and one timer turn run. */
export async function settle(): Promise<void> {
  for (let i = 0; i < 10; i++) await Promise.resolve();
  await new Promise((resolve) => setTimeout(resolve, 0));
}
