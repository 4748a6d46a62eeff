import { visibleSettings } from '../../shared/api';
import { compareMetrics } from '../eval/compareRequest';
import type { ExportFormat } from '../image/exportStored';
import type { Handlers } from '../ipc/handlers';
import type { ProjectService } from '../projects/projectService';
import { createDeviceRouting } from './deviceHandlers';
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
  return {
    ...createImageHandlers(services.images, services.showSaveDialog),
    ...createJobHandlers(services, devices.deviceOf),
    ...devices.handlers,
    ...createSweepHandlers(services, {
      deviceOf: devices.deviceOf,
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

    'settings:get': () => visibleSettings(settings.get()),
    'settings:set': async (patch) => visibleSettings(await settings.set(patch)),
  };
}
