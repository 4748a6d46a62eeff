import type { ImageId, ImageInfo, JobResult, RequestOf } from '../../shared/api';
import { invalidArgument } from '../../shared/errors';
import type { Mask } from '../../shared/image/types';
import type { EngineProgress } from '../engine/process/protocol';
import type { Handlers } from '../ipc/handlers';
import { remoteEditSpec, remoteSegmentSpec } from '../queue/remoteSpecs';
import type { EditPlanning } from './editPlanHandlers';
import type { HandlerServices } from './handlers';
import { storeResults } from './editResults';
import type { ImageStore } from './images';
import type { JobContext } from './jobs';

/** The job channels: starting segmentations and edits in the engine process, cancelling and listing jobs. */
type JobChannels = 'segment:start' | 'edit:start' | 'jobs:cancel' | 'jobs:list' | 'jobs:events';

/**
 * Each start request is checked and answered with a job id at once; the job runs the task in the engine process of
 * its device, forwards its progress and stores what it made in the image store.
 */
export function createJobHandlers(
  services: HandlerServices,
  deviceOf: (provider: string) => string,
  planning: Pick<EditPlanning, 'forEdit'>,
): Pick<Handlers, JobChannels> {
  const { images, jobs } = services;
  return {
    'segment:start': (request) => {
      const remote = services.remote.queue;
      if (remote) return { jobId: jobs.submit(remoteSegmentSpec(remote, images, request)) };
      const device = deviceOf(request.provider);
      const run = segmentJob(services, device, request);
      return { jobId: jobs.submit({ kind: 'segment', device, run }) };
    },
    'edit:start': (request) => {
      const source = images.info(request.imageId);
      const { roi } = request;
      const mask: Mask = 'maskId' in roi ? images.mask(roi.maskId) : roi.mask;
      if (mask.width !== source.width || mask.height !== source.height) {
        throw invalidArgument(`the mask is ${mask.width}×${mask.height}, the image ${source.width}×${source.height}`);
      }
      const remote = services.remote.queue;
      if (remote)
        return {
          jobId: jobs.submit(
            remoteEditSpec(remote, images, { imageId: request.imageId, mask, params: request.params }),
          ),
        };
      const device = deviceOf(request.params.provider);
      const run = editJob(services, device, request, source, mask, planning);
      return { jobId: jobs.submit({ kind: 'edit', device, run }) };
    },
    'jobs:cancel': ({ jobId }) => ({ wasActive: jobs.cancel(jobId) }),
    'jobs:list': () => ({ jobs: jobs.list() }),
    'jobs:events': ({ jobId }) => {
      if (!jobs.has(jobId)) throw invalidArgument(`no job ${jobId}`);
      return { events: jobs.events(jobId) };
    },
  };
}

type JobRun = (context: JobContext) => Promise<JobResult>;

function segmentJob(services: HandlerServices, device: string, request: RequestOf<'segment:start'>): JobRun {
  const { images, engines, models, settings } = services;
  const { rgb } = images.rgb(request.imageId);
  const modelsDir = models.modelsDir();
  return async (context) => {
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
        ...(request.grounding ? { grounding: request.grounding } : {}),
        ...(request.sam ? { sam: request.sam } : {}),
        modelsDir,
        provider: request.provider,
        providerPerRole: settings.get().providerPerRole,
      },
      { signal: context.signal, onProgress: forwardProgress(images, context, []) },
    );
    if (value.kind !== 'segment') throw new Error('the engine answered a segmentation with another task');
    const mask = images.addMask(value.mask);
    return {
      kind: 'segment',
      maskId: mask.id,
      instances: value.instances.map(({ boxImagePx: box, phrase, score }) => ({ ...box, phrase, score })),
      message: value.message,
    };
  };
}

function editJob(
  services: HandlerServices,
  device: string,
  { imageId, params }: RequestOf<'edit:start'>,
  source: ImageInfo,
  mask: Mask,
  planning: Pick<EditPlanning, 'forEdit'>,
): JobRun {
  const { images, engines, models, settings } = services;
  const modelsDir = models.modelsDir();
  return async (context) => {
    const previews: ImageId[] = [];
    try {
      const imageBytes = await images.encoded(imageId);
      // The plan the panels showed (low-memory when the setting or the machine asks for it), made here otherwise.
      const planned = await planning.forEdit(imageId, device, params);
      const value = await engines.client(device).run(
        {
          kind: 'edit',
          imageBytes,
          mask,
          ...planned,
          modelsDir,
          providerPerRole: settings.get().providerPerRole,
        },
        { signal: context.signal, onProgress: forwardProgress(images, context, previews) },
      );
      if (value.kind !== 'edit') throw new Error('the engine answered an edit with another task');
      const resultIds = storeResults(images, value, source, imageBytes);
      return { kind: 'edit', resultIds, seeds: value.results.map((r) => r.seed), provider: value.provider };
    } finally {
      for (const id of previews) images.release(id);
    }
  };
}

/** Step progress from the engine → throttled job events, previews stored only when an event goes out. */
export function forwardProgress(images: ImageStore, context: JobContext, jobPreviews: ImageId[]) {
  return (progress: EngineProgress): void => {
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
}
