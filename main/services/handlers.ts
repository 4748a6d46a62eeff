import { type ImageId, type JobEvent, type JobId, type JobResult, visibleSettings } from '../../shared/api';
import { invalidArgument } from '../../shared/errors';
import type { Mask } from '../../shared/image/types';
import type { PreflightReport } from '../engine/providers';
import type { ExportFormat } from '../image/exportStored';
import type { Handlers } from '../ipc/handlers';
import type { EnginePool } from './engines';
import { createImageHandlers } from './imageHandlers';
import type { ImageStore } from './images';
import type { JobContext, JobQueue } from './jobs';
import type { ModelService } from './models';
import type { SettingsStore } from './settings';
import type { ProjectService } from '../projects/projectService';
import type { EngineProgress } from '../engine/process/protocol';
import { SheetBatches } from '../batch/sheet';
import { createBatchHandlers, createRemoteHandlers } from '../queue/remoteHandlers';
import type { RemoteWorkersService } from '../queue/remoteService';
import { remoteEditSpec, remoteSegmentSpec } from '../queue/remoteSpecs';
import type { Emitter } from '../ipc/emitter';

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
  /** The desktop app's native save dialog; absent in serve mode. */
  readonly showSaveDialog?: (defaultName: string, format: ExportFormat) => Promise<string | null>;
}

/** Every request channel's handler, over the main-process services. */
export function createHandlers(services: HandlerServices): Handlers {
  const { images, jobs, engines, models, settings } = services;
  let lastPreflight: PreflightReport | undefined;
  // `auto` shares the queue of the provider it resolves to, so two jobs never run at once on one device.
  const deviceOf = (provider: string): string => (provider === 'auto' ? (lastPreflight?.auto ?? 'auto') : provider);

  const preflight = async (refresh: boolean) => {
    const value = await engines.client(deviceOf(settings.get().provider)).run({ kind: 'preflight', refresh });
    if (value.kind !== 'preflight') throw new Error('the engine answered a pre-flight with another task');
    lastPreflight = value.report;
    return toDevices(value.report);
  };

  /** Step progress from the engine → throttled job events, previews stored only when an event goes out. */
  const forward = (context: JobContext, jobPreviews: ImageId[]) => (progress: EngineProgress) => {
    if (progress.type === 'loading') return context.progress(progress);
    const { i, n, preview } = progress;
    if (!preview) return context.progress({ type: 'step', i, n });
    context.progress({
      type: 'step',
      i,
      n,
      preview: () => {
        const previous = jobPreviews.pop();
        if (previous) images.release(previous);
        const id = images.addRgb('preview', preview).id;
        jobPreviews.push(id);
        return id;
      },
    });
  };

  const handlers: Handlers = {
    ...createImageHandlers(images, services.showSaveDialog),
    ...createRemoteHandlers(services.remote),
    ...createBatchHandlers(() => batchesOver(() => handlers, services)),
    'projects:save': (request) => services.projects.save(request),
    'projects:open': ({ bytes }) => services.projects.open(bytes),
    'projects:recover': async () => ({ project: await services.projects.recover() }),
    'projects:discardAutosave': async () => ({ removed: await services.projects.discardAutosave() }),

    'segment:start': (request) => {
      const remote = services.remote.queue;
      if (remote) return { jobId: jobs.submit(remoteSegmentSpec(remote, images, request)) };
      const { rgb } = images.rgb(request.imageId);
      const modelsDir = models.modelsDir();
      const device = deviceOf(request.provider);
      const jobId = jobs.submit({
        kind: 'segment',
        device,
        run: async (context): Promise<JobResult> => {
          const value = await engines.client(device).run(
            {
              kind: 'segment',
              image: rgb,
              imageKey: request.imageId,
              ...(request.text === undefined ? {} : { text: request.text }),
              ...(request.boxImagePx ? { boxImagePx: request.boxImagePx } : {}),
              points: request.points,
              boxThreshold: request.boxThreshold,
              textThreshold: request.textThreshold,
              modelsDir,
              provider: request.provider,
              providerPerRole: settings.get().providerPerRole,
            },
            { signal: context.signal, onProgress: forward(context, []) },
          );
          if (value.kind !== 'segment') throw new Error('the engine answered a segmentation with another task');
          const mask = images.addMask(value.mask);
          return {
            kind: 'segment',
            maskId: mask.id,
            instances: value.instances.map(({ boxImagePx: box, phrase, score }) => ({ ...box, phrase, score })),
            message: value.message,
          };
        },
      });
      return { jobId };
    },

    'edit:start': ({ imageId, roi, params }) => {
      const source = images.info(imageId);
      const mask: Mask = 'maskId' in roi ? images.mask(roi.maskId) : roi.mask;
      if (mask.width !== source.width || mask.height !== source.height) {
        throw invalidArgument(`the mask is ${mask.width}×${mask.height}, the image ${source.width}×${source.height}`);
      }
      const remote = services.remote.queue;
      if (remote) return { jobId: jobs.submit(remoteEditSpec(remote, images, { imageId, mask, params })) };
      const modelsDir = models.modelsDir();
      const device = deviceOf(params.provider);
      const jobId = jobs.submit({
        kind: 'edit',
        device,
        run: async (context): Promise<JobResult> => {
          const previews: ImageId[] = [];
          try {
            const imageBytes = await images.encoded(imageId);
            const value = await engines.client(device).run(
              {
                kind: 'edit',
                imageBytes,
                mask,
                // The low-memory setting (the out-of-memory message tells users to turn it on) applies to every edit.
                params: { ...params, lowMemory: params.lowMemory || settings.get().lowMemory },
                modelsDir,
                providerPerRole: settings.get().providerPerRole,
              },
              { signal: context.signal, onProgress: forward(context, previews) },
            );
            if (value.kind !== 'edit') throw new Error('the engine answered an edit with another task');
            const resultIds = value.results.map(
              (result) =>
                images.addRgb('result', result.rgb, {
                  alpha: result.alpha,
                  name: source.name,
                  metadata: result.metadata,
                  ...(source.colour ? { colour: source.colour } : {}),
                  edit: {
                    image: result.stored.image,
                    region: result.stored.region,
                    recipe: result.recipe,
                    originalBytes: imageBytes,
                    originalName: source.name,
                  },
                }).id,
            );
            return { kind: 'edit', resultIds, seeds: value.results.map((r) => r.seed), provider: value.provider };
          } finally {
            for (const id of previews) images.release(id);
          }
        },
      });
      return { jobId };
    },
    'jobs:cancel': ({ jobId }) => ({ wasActive: jobs.cancel(jobId) }),

    'jobs:list': () => ({ jobs: jobs.list() }),
    'jobs:events': ({ jobId }) => {
      if (!jobs.has(jobId)) throw invalidArgument(`no job ${jobId}`);
      return { events: jobs.events(jobId) };
    },

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
    'models:diskUsage': () => models.diskUsage(),

    'devices:providers': () => (lastPreflight ? toDevices(lastPreflight) : preflight(false)),
    'devices:preflight': () => preflight(true),

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
  });
}

function toDevices(report: PreflightReport) {
  return {
    providers: report.providers.map((p) => ({
      name: p.name,
      isShipped: p.shipped,
      isWorking: p.shipped ? p.ok : false,
      reason: p.reason ?? null,
    })),
    auto: report.auto,
  };
}
