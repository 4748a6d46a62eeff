import type { RemoteState } from '../../shared/api';
import { RemoteQueue } from './remote';

/**
 * The queue the editor's edits and searches run on (Devices → Remote workers, or `iir serve --queue`), or none: this
 * machine's engine. The address with its password stays in main; only its display form is ever answered.
 */
export class RemoteWorkersService {
  private remote: RemoteQueue | null = null;

  /** The connected queue, or null. */
  get queue(): RemoteQueue | null {
    return this.remote;
  }

  /** Connects to `url` (one clear line when the address or password is wrong), replacing any earlier queue. */
  async connect(url: string): Promise<RemoteState> {
    const next = await RemoteQueue.connect(url);
    const previous = this.remote;
    this.remote = next;
    await previous?.close();
    return this.state();
  }

  async disconnect(): Promise<RemoteState> {
    const previous = this.remote;
    this.remote = null;
    await previous?.close();
    return this.state();
  }

  /** The queue in use and its live workers, fastest first. */
  async state(): Promise<RemoteState> {
    const remote = this.remote;
    if (!remote) return { queue: null, workers: [] };
    const workers = await remote.workers();
    return {
      queue: remote.address.display,
      workers: workers.map((w) => ({
        id: w.id,
        host: w.host,
        provider: w.resolvedProvider ?? w.provider,
        device: w.device,
        threads: w.threads,
        models: w.models,
        current: w.current,
        done: w.done,
        failed: w.failed,
        perMinute: w.perMinute,
        msPerJob: w.msPerJob,
      })),
    };
  }
}
