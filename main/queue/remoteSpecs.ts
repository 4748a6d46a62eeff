import sharp from 'sharp';
import type { EditParams, ImageId, JobResult, RequestOf } from '../../shared/api';
import type { Mask, RgbImage } from '../../shared/image/types';
import { storeResults } from '../services/editResults';
import type { ImageStore } from '../services/images';
import type { JobContext, JobSpec } from '../services/jobs';
import type { RemoteProgress } from './interactiveJobs';
import type { RemoteQueue } from './remote';

/**
 * The lanes remote jobs take turns on in the app's job queue: they wait on no local job, and up to this many run at
 * once (the workers and BullMQ do the rest of the queueing).
 */
const remoteLanes = 8;
let nextLane = 0;
const remoteDevice = (): string => `remote-${nextLane++ % remoteLanes}`;

async function decodePreview(jpegBase64: string): Promise<RgbImage> {
  const { data, info } = await sharp(Buffer.from(jpegBase64, 'base64'))
    .removeAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, data: new Uint8Array(data.buffer, data.byteOffset, data.length) };
}

/** A remote job's progress as the app's job events: loading, steps, and the worker's previews as preview images. */
function forward(context: JobContext, images: ImageStore, previews: ImageId[]) {
  return (progress: RemoteProgress): void => {
    if (progress.type === 'loading') return context.progress(progress);
    const { i, n, preview } = progress;
    if (preview === undefined) return context.progress({ type: 'step', i, n });
    void decodePreview(preview).then(
      (rgb) =>
        context.progress({
          type: 'step',
          i,
          n,
          preview: () => {
            const previous = previews.pop();
            if (previous) images.release(previous);
            const id = images.addRgb('preview', rgb).id;
            previews.push(id);
            return id;
          },
        }),
      () => context.progress({ type: 'step', i, n }),
    );
  };
}

/** An edit run on the fastest free remote worker that has its models; results are stored as local ones are. */
export function remoteEditSpec(
  remote: RemoteQueue,
  images: ImageStore,
  request: { imageId: ImageId; mask: Mask; params: EditParams },
): JobSpec {
  const source = images.info(request.imageId);
  const name = source.name ?? 'the photo';
  return {
    kind: 'edit',
    device: remoteDevice(),
    run: async (context): Promise<JobResult> => {
      const previews: ImageId[] = [];
      try {
        const bytes = await images.encoded(request.imageId);
        const { value, worker } = await remote.edit(
          { kind: 'edit', name, bytes, mask: request.mask, params: request.params },
          { signal: context.signal, onProgress: forward(context, images, previews) },
        );
        const resultIds = storeResults(images, value, source, bytes);
        return { kind: 'edit', resultIds, seeds: value.results.map((r) => r.seed), provider: value.provider, worker };
      } finally {
        for (const id of previews) images.release(id);
      }
    },
  };
}

/** A region search run on a remote worker from the photo's bytes. */
export function remoteSegmentSpec(
  remote: RemoteQueue,
  images: ImageStore,
  request: RequestOf<'segment:start'>,
): JobSpec {
  const source = images.info(request.imageId);
  const name = source.name ?? 'the photo';
  return {
    kind: 'segment',
    device: remoteDevice(),
    run: async (context): Promise<JobResult> => {
      const bytes = await images.encoded(request.imageId);
      const { value } = await remote.segment(
        {
          kind: 'segment',
          name,
          bytes,
          ...(request.text === undefined ? {} : { text: request.text }),
          ...(request.boxImagePx ? { boxImagePx: request.boxImagePx } : {}),
          points: request.points,
          boxThreshold: request.boxThreshold,
          textThreshold: request.textThreshold,
        },
        { signal: context.signal },
      );
      if (value.mask.width !== source.width || value.mask.height !== source.height)
        throw new Error(
          `the worker's mask is ${value.mask.width}×${value.mask.height}, the photo ${source.width}×${source.height}`,
        );
      return {
        kind: 'segment',
        maskId: images.addMask(value.mask).id,
        instances: value.instances.map(({ boxImagePx: box, phrase, score }) => ({ ...box, phrase, score })),
        message: value.message,
      };
    },
  };
}
