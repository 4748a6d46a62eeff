import { type JobEvent, type JobId, visibleSettings } from '../../shared/api';
import { SheetBatches } from '../batch/sheet';
import { SheetPhotos } from '../batch/sheetPhotos';
import { compareMetrics } from '../eval/compareRequest';
import type { ExportFormat } from '../image/exportStored';
import type { Emitter } from '../ipc/emitter';
import type { Handlers } from '../ipc/handlers';
import type { ProjectService } from '../projects/projectService';
import { createBatchHandlers, createRemoteHandlers } from '../queue/remoteHandlers';
import type { RemoteWorkersService } from '../queue/remoteService';
import { createDeviceRouting } from './deviceHandlers';
import { createEditPlanning } from './editPlanHandlers';
import type { EnginePool } from './engines';
import { createImageHandlers } from './imageHandlers';
import { createSweepHandlers } from './sweepHandlers';
import type { ImageStore } from './images';
import { createJobHandlers, forwardProgress } from './jobHandlers';
import type { JobQueue } from './jobs';
import type { ModelService } from './models';
import type { SettingsStore } from './settings';

/** The services the handlers use. */
export interface HandlerServices {
  readonly images: ImageStore;
  readonly jobs: JobQueue;
  readonly engines: EnginePool;
  readonly models: ModelService;
  readonly settings: SettingsStore;
  readonly projects: ProjectService;
  /** Remote workers (Devices → Remote workers, `iir serve --queue`): edits and searches run there when connected. */
  readonly remote: RemoteWorkersService;
  readonly emitter: Emitter;
  /** Where the Batch sheet keeps finished photos (`<user data>/batches`); the system's temporary folder without. */
  readonly batchFolder?: string;
  /** The desktop app's native save dialog; absent in serve mode. */
  readonly showSaveDialog?: (defaultName: string, format: ExportFormat) => Promise<string | null>;
}

/**
 * Every request channel's handler, over the main-process services: images and the save dialog
 * (./imageHandlers.ts), jobs (./jobHandlers.ts), devices (./deviceHandlers.ts); projects, models and settings are
 * one call each.
 */
export function createHandlers(services: HandlerServices): Handlers {
  const { models, settings, projects } = services;
  const devices = createDeviceRouting(services.engines, settings);
  const planning = createEditPlanning(services, devices.resolveDevice);
  const handlers: Handlers = {
    ...createImageHandlers(services.images, services.showSaveDialog),
    ...createRemoteHandlers(services.remote),
    ...createBatchHandlers(() => batchesOver(() => handlers, services)),
    ...createJobHandlers(services, devices.deviceOf, planning),
    ...devices.handlers,
    ...planning.handlers,
    ...createSweepHandlers(services, {
      deviceOf: devices.deviceOf,
      cancelWarmUp: () => planning.warmUps.cancel(),
      forward: (context, previews) => forwardProgress(services.images, context, previews),
    }),
    'metrics:compare': (request) => compareMetrics(services.images, services.engines, models.modelsDir(), request),

    'projects:save': (request) => projects.save(request),
    'projects:open': ({ bytes }) => projects.open(bytes),
    'projects:recover': async () => ({ project: await projects.recover() }),
    'projects:discardAutosave': async () => ({ removed: await projects.discardAutosave() }),

    'models:catalog': () => models.catalog(),
    'models:installed': () => models.installed(),
    'models:pull': ({ ids }) => models.pull(ids),
    'models:licenses': ({ ids }) => models.licenses(ids),
    'models:acceptLicenses': ({ licenses }) => models.acceptLicenses(licenses),
    'models:pause': ({ id }) => models.pause(id),
    'models:cancel': ({ id }) => models.cancel(id),
    'models:import': ({ path, id, role, mode }) => models.import(path, id, role, mode),
    'models:verify': ({ id }) => models.verify(id),
    'models:remove': ({ id }) => models.remove(id),
    'models:deletePartial': ({ id }) => models.deletePartial(id),
    'models:diskUsage': () => models.diskUsage(),
    'models:quantize': ({ id }) => models.quantize(id),
    'models:widen': ({ id }) => models.widen(id),

    'settings:get': () => visibleSettings(settings.get()),
    'settings:set': async (patch) => visibleSettings(await settings.set(patch)),
  };
  return handlers;
}

/** The Batch sheet's batches, over these handlers' own search and edit (so remote workers take them when set). */
function batchesOver(handlers: () => Handlers, services: HandlerServices): SheetBatches {
  const context = { transport: 'electron' } as const;
  return new SheetBatches({
    segment: (request) => handlers()['segment:start'](request, context) as { jobId: JobId },
    edit: (request) => handlers()['edit:start'](request, context) as { jobId: JobId },
    cancelJob: (jobId) => void services.jobs.cancel(jobId),
    onJobEvent: (listener) =>
      services.emitter.subscribe((channel, payload) => channel === 'jobs:event' && listener(payload as JobEvent)),
    slots: async () => (await services.remote.state()).workers.length || 1,
    emit: (event) => services.emitter.emit('batch:event', event),
    photos: new SheetPhotos(services.images, services.batchFolder),
  });
}
