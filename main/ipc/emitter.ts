import { type EventChannel, type EventPayload, eventChannels } from '../../shared/api';

/** Receives every event main emits (the Electron window adapter, each WebSocket connection). */
export type EventSink = (channel: EventChannel, payload: unknown) => void;

/** The one function that sends events; transports subscribe to it. */
export interface Emitter {
  emit<E extends EventChannel>(channel: E, payload: EventPayload<E>): void;
  subscribe(sink: EventSink): () => void;
}

/** Creates the emitter. Payloads are checked against their schema, so a bug cannot send a malformed event. */
export function createEmitter(): Emitter {
  const sinks = new Set<EventSink>();
  return {
    emit(channel, payload) {
      const checked: unknown = eventChannels[channel].parse(payload);
      for (const sink of sinks) sink(channel, checked);
    },
    subscribe(sink) {
      sinks.add(sink);
      return () => sinks.delete(sink);
    },
  };
}
