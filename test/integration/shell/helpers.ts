import { cpSync, mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import type { Channel, EventChannel, JobEvent, JobId, RequestInput, ResponseOf } from '../../../shared/api';
import { forkLauncher, sourceEntry } from '../../../main/engine/process/launcher';
import { type AppServices, createAppServices } from '../../../main/services/app';
import type { Logger } from '../../../main/services/logs';
import { ensureFixtures } from '../../fixtures/models/all';
import { writeFixtureReceipt } from '../../fixtures/models/receipt';
import { cacheDir } from '../../setup/global';

/** A shared test photograph (test/fixtures/images). */
export function photoPath(name: 'astronaut' | 'chelsea' | 'coffee' | 'grass'): string {
  return join(import.meta.dirname, '..', '..', 'fixtures', 'images', `${name}.png`);
}

/** Logs into memory, so a test can assert nothing leaked and bugs were recorded. */
export function memoryLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  return {
    lines,
    info: (message) => lines.push(`INFO ${message}`),
    warn: (message) => lines.push(`WARN ${message}`),
    error: (message, error) => lines.push(`ERROR ${message} ${String(error)}`),
  };
}

/** The real main-process services over a fresh user-data folder and the fixture models (or `modelsDir`). */
export async function startServices(
  modelsDir: string = ensureFixtures(),
): Promise<AppServices & { env: NodeJS.ProcessEnv; logger: ReturnType<typeof memoryLogger> }> {
  const userData = mkdtempSync(join(cacheDir, 'shell-'));
  const env = { ...process.env, IIR_USER_DATA: userData, IIR_MODELS_DIR: modelsDir };
  const logger = memoryLogger();
  const services = await createAppServices({
    userDataDir: userData,
    launcher: forkLauncher(sourceEntry(), env),
    env,
    logger,
  });
  return Object.assign(services, { env, logger });
}

/** Calls a channel through the router as the preload would, and unwraps the envelope. */
export async function call<C extends Channel>(
  services: AppServices,
  channel: C,
  request: RequestInput<C>,
): Promise<ResponseOf<C>> {
  const envelope = await services.router.dispatch(channel, request, { transport: 'electron' });
  if (!envelope.ok) throw new Error(`${channel} failed: ${envelope.error.code}: ${envelope.error.message}`);
  return envelope.value as ResponseOf<C>;
}

/** Collects job events from the emitter; `terminal(id)` resolves with a job's events once it has ended. */
export function jobEvents(services: AppServices) {
  const events: JobEvent[] = [];
  const waiters: { id: JobId; resolve: (events: JobEvent[]) => void }[] = [];
  const isEnd = (event: JobEvent) => ['completed', 'failed', 'cancelled'].includes(event.type);
  const onEvent = (event: JobEvent) => {
    events.push(event);
    for (const waiter of [...waiters]) {
      if (event.jobId === waiter.id && isEnd(event)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(events.filter((e) => e.jobId === waiter.id));
      }
    }
  };
  services.emitter.subscribe((channel: EventChannel, payload) => {
    if (channel === 'jobs:event') onEvent(payload as JobEvent);
  });
  return {
    events,
    of: (id: JobId) => events.filter((e) => e.jobId === id),
    terminal: (id: JobId) =>
      new Promise<JobEvent[]>((resolve) => {
        const mine = events.filter((e) => e.jobId === id);
        if (mine.some(isEnd)) resolve(mine);
        else waiters.push({ id, resolve });
      }),
    /** Resolves at the first event of `id` matching `type`. */
    first: (id: JobId, type: JobEvent['type']) =>
      new Promise<JobEvent>((resolve) => {
        const found = events.find((e) => e.jobId === id && e.type === type);
        if (found) return resolve(found);
        const unsubscribe = services.emitter.subscribe((channel, payload) => {
          const event = payload as JobEvent;
          if (channel === 'jobs:event' && event.jobId === id && event.type === type) {
            unsubscribe();
            resolve(event);
          }
        });
      }),
  };
}

/** A models folder holding the segmentation fixtures installed (with receipts) under the catalog's default ids. */
export function segmentationModelsDir(): string {
  const fixtures = ensureFixtures();
  const dir = mkdtempSync(join(cacheDir, 'seg-models-'));
  for (const [folder, id, role] of [
    ['sam', 'slimsam-77', 'sam'],
    ['grounding-dino', 'grounding-dino-tiny', 'grounding'],
  ] as const) {
    cpSync(join(fixtures, folder), join(dir, id), { recursive: true });
    writeFixtureReceipt(join(dir, id), id, `Fixture ${id}`, role);
  }
  return dir;
}
