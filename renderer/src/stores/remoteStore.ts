import { defineStore } from 'pinia';
import { ref } from 'vue';
import type { RemotePending, RemoteState, RemoteWorker } from '../../../shared/api';
import { api } from '../api/client';
import { describeError } from '../editing/errorMessages';

/**
 * Devices → Remote workers: the Redis queue the editor's edits run on (main keeps the address with its password; this
 * store only ever sees `redis://host:port/db`) and its live workers.
 */
export const useRemoteStore = defineStore('remote', () => {
  /** The queue in use, or null when edits run on this machine. */
  const queue = ref<string | null>(null);
  const workers = ref<RemoteWorker[]>([]);
  /** The remembered queue main is reconnecting to (or needs the password of), while edits run on this machine. */
  const pending = ref<RemotePending | null>(null);
  const error = ref<string | null>(null);
  const isConnecting = ref(false);

  function apply(state: RemoteState): void {
    queue.value = state.queue;
    workers.value = state.workers;
    pending.value = state.pending ?? null;
  }

  async function attempt(work: () => Promise<RemoteState>): Promise<void> {
    error.value = null;
    try {
      apply(await work());
    } catch (caught) {
      error.value = describeError(caught).text;
    }
  }

  /** Connects to `url`; a `password` typed apart from it (main asked for it again) replaces any in the address. */
  async function connect(url: string, password?: string): Promise<void> {
    isConnecting.value = true;
    try {
      await attempt(() => api().remote.connect({ url: url.trim(), ...(password ? { password } : {}) }));
    } finally {
      isConnecting.value = false;
    }
  }

  /** Disconnects and forgets the queue (main stops reconnecting to it). */
  const disconnect = (): Promise<void> => attempt(() => api().remote.disconnect({}));
  const refresh = (): Promise<void> => attempt(() => api().remote.workers({}));

  /** Refreshes the workers every `ms` while something shows them; returns the function that stops it. */
  function follow(ms = 3000): () => void {
    void refresh();
    const timer = setInterval(() => void refresh(), ms);
    return () => clearInterval(timer);
  }

  return { queue, workers, pending, error, isConnecting, connect, disconnect, refresh, follow };
});
