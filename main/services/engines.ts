import { EngineClient } from '../engine/process/client';
import type { EngineLauncher } from '../engine/process/launcher';

/** One engine process per device queue, started on first use (and again after a crash). */
export class EnginePool {
  private readonly clients = new Map<string, EngineClient>();

  constructor(
    private readonly launch: EngineLauncher,
    private readonly cancelGraceMs?: number,
    private readonly log?: (message: string) => void,
  ) {}

  /** The engine client of `device`. */
  client(device: string): EngineClient {
    let client = this.clients.get(device);
    if (!client) {
      client = new EngineClient(this.launch, this.cancelGraceMs, this.log);
      this.clients.set(device, client);
    }
    return client;
  }

  /** Process ids of the running engines, by device (for diagnostics and the crash tests). */
  pids(): Record<string, number | undefined> {
    return Object.fromEntries([...this.clients].map(([device, client]) => [device, client.pid]));
  }

  /** Stops every engine process. */
  dispose(): void {
    for (const client of this.clients.values()) client.dispose();
  }
}
