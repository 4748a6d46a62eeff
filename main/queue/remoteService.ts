import type { RemotePending, RemoteState } from '../../shared/api';
import { type QueueAddress, isPasswordRefused, parseQueueUrl, withPassword } from './connection';
import type { QueueMemory } from './queueMemory';
import { RemoteQueue } from './remote';

/** Options of {@link RemoteWorkersService}. */
export interface RemoteWorkersOptions {
  /** Where the connected queue is remembered for the next start (none: nothing is remembered). */
  readonly memory?: QueueMemory;
  /** The reconnect's backoff at start: the first wait, doubled after each failure up to `maxMs`. */
  readonly retry?: { readonly firstMs: number; readonly maxMs: number };
  readonly log?: (message: string) => void;
}

/** Options of {@link RemoteWorkersService.connect}. */
export interface ConnectOptions {
  /** A password typed apart from the address: it replaces any in the address. */
  readonly password?: string;
  /** Remember the queue for the next start (default true; `iir serve --queue` does not). */
  readonly remember?: boolean;
}

/** A remembered queue not connected yet, and when the next try is due (`unreachable`). */
interface Pending {
  readonly address: QueueAddress;
  readonly reason: RemotePending['reason'];
  readonly retryAt?: number;
  /** Why the password is asked for: the queue refused it, or the keychain could not open the kept one. */
  readonly why?: 'refused' | 'unsealable';
}

const defaultRetry = { firstMs: 1000, maxMs: 60_000 };

/**
 * The queue the editor's edits and searches run on (Devices → Remote workers, or `iir serve --queue`), or none: this
 * machine's engine. The address with its password stays in main; only its display form is ever answered. A queue
 * connected from the panel is remembered, and {@link resume} reconnects to it at the next start in the background.
 */
export class RemoteWorkersService {
  private remote: RemoteQueue | null = null;
  private pending: Pending | null = null;
  /** Bumped whenever the reconnect in flight is no longer wanted (a connect, a disconnect, closing). */
  private generation = 0;
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly options: RemoteWorkersOptions = {}) {}

  /** The connected queue, or null. */
  get queue(): RemoteQueue | null {
    return this.remote;
  }

  /** Connects to `url` (one clear line when the address or password is wrong), replacing any earlier queue. */
  async connect(url: string, options: ConnectOptions = {}): Promise<RemoteState> {
    let address = sameQueueAs(parseQueueUrl(url), this.pending?.address);
    if (options.password !== undefined) address = withPassword(address, options.password);
    const next = await RemoteQueue.connect(address);
    this.stopRetrying();
    await this.use(next);
    if (options.remember !== false && this.options.memory) {
      await this.options.memory.remember(address).catch((error: unknown) => {
        this.options.log?.(`could not remember the queue ${address.display}: ${String(error)}`);
      });
    }
    return this.state();
  }

  /** Disconnects and forgets the queue (and stops reconnecting to a remembered one): edits run on this machine. */
  async disconnect(): Promise<RemoteState> {
    await this.close();
    await this.options.memory?.forget();
    return this.state();
  }

  /** Disconnects without forgetting (the app is quitting). */
  async close(): Promise<void> {
    this.stopRetrying();
    await this.use(null);
  }

  /**
   * Reconnects to the remembered queue in the background (never awaited: startup does not wait for the network),
   * retrying with backoff while it does not answer. A password that was not kept, or is refused, is asked for again.
   */
  resume(): void {
    const recalled = this.options.memory?.recall();
    if (!recalled || this.remote || this.pending) return;
    if (recalled.needsPassword) {
      this.pending = {
        address: recalled.address,
        reason: 'password',
        ...(recalled.unsealable ? { why: 'unsealable' } : {}),
      };
      return;
    }
    this.pending = { address: recalled.address, reason: 'connecting' };
    this.attempt(recalled.address, this.generation, 0);
  }

  /** The queue in use and its live workers, fastest first; or the remembered queue not connected yet. */
  async state(): Promise<RemoteState> {
    const remote = this.remote;
    if (!remote) return { queue: null, workers: [], pending: this.describePending() };
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
      pending: null,
    };
  }

  private attempt(address: QueueAddress, generation: number, failures: number): void {
    void RemoteQueue.connect(address).then(
      async (next) => {
        if (generation !== this.generation) return next.close();
        this.pending = null;
        await this.use(next).catch(() => undefined);
        this.options.log?.(`reconnected to the remembered queue ${address.display}`);
      },
      (error: unknown) => {
        if (generation !== this.generation) return;
        if (isPasswordRefused(error)) {
          this.pending = { address, reason: 'password', why: 'refused' };
          this.options.log?.(`the remembered queue ${address.display} refused its password; asking for it again`);
          return;
        }
        const { firstMs, maxMs } = this.options.retry ?? defaultRetry;
        const wait = Math.min(maxMs, firstMs * 2 ** failures);
        this.pending = { address, reason: 'unreachable', retryAt: Date.now() + wait };
        this.timer = setTimeout(() => this.attempt(address, generation, failures + 1), wait);
        this.timer.unref();
      },
    );
  }

  private describePending(): RemotePending | null {
    const pending = this.pending;
    if (!pending) return null;
    const { display, hostPort } = pending.address;
    let message: string;
    if (pending.reason === 'connecting') message = `Connecting to ${hostPort}…`;
    else if (pending.reason === 'unreachable') {
      const seconds = Math.max(0, Math.ceil(((pending.retryAt ?? 0) - Date.now()) / 1000));
      message = `${hostPort} is not answering; retrying ${seconds > 0 ? `in ${seconds} s` : 'now'}`;
    } else if (pending.why === 'refused') message = `${display} refused the remembered password: type it again`;
    else if (pending.why === 'unsealable')
      message = `Type the password of ${display} to reconnect (the keychain could not open the one kept)`;
    else message = `Type the password of ${display} to reconnect (it is not kept on this computer)`;
    return { queue: display, reason: pending.reason, message };
  }

  private stopRetrying(): void {
    this.generation++;
    this.pending = null;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private async use(next: RemoteQueue | null): Promise<void> {
    const previous = this.remote;
    this.remote = next;
    await previous?.close();
  }
}

/**
 * `typed` filled from the remembered queue when it names the same one (the renderer only sees its display form): the
 * remembered user name, and its kept password unless one was typed.
 */
function sameQueueAs(typed: QueueAddress, remembered: QueueAddress | undefined): QueueAddress {
  if (!remembered || remembered.display !== typed.display || typed.options.username !== undefined) return typed;
  const password = typed.options.password ?? remembered.options.password;
  return password === undefined ? remembered : withPassword(remembered, password);
}
