import type { Redis } from 'ioredis';
import sharp from 'sharp';
import type { ProviderChoice } from '../../shared/api';
import { IirError } from '../../shared/errors';
import type { RgbImage } from '../../shared/image/types';
import type { SerialEngine } from '../batch/engine';
import { openImage } from '../image/decode';
import { getInline, putResult } from './inline';
import {
  type RemoteEditJob,
  type RemoteProgress,
  type RemoteReturn,
  type RemoteSegmentJob,
  remoteJobSchema,
  resultKey,
} from './interactiveJobs';

/** What an interactive job needs from the worker running it. */
export interface InteractiveContext {
  readonly redis: Redis;
  readonly engine: SerialEngine;
  readonly modelsDir: string;
  readonly provider: ProviderChoice;
  readonly workerId: string;
  readonly signal: AbortSignal;
  readonly report: (progress: RemoteProgress) => void;
}

/** The longest side of the previews sent through the queue. */
const previewSide = 256;
/** Previews are sent at most this often (each is a few kB in Redis). */
const previewIntervalMs = 400;

/** A small JPEG of an engine preview, as base64 for the job's progress. */
async function thumbnail(rgb: RgbImage): Promise<string> {
  const jpeg = await sharp(Buffer.from(rgb.data.buffer, rgb.data.byteOffset, rgb.data.byteLength), {
    raw: { width: rgb.width, height: rgb.height, channels: 3 },
  })
    .resize(previewSide, previewSide, { fit: 'inside', withoutEnlargement: true })
    .jpeg({ quality: 70 })
    .toBuffer();
  return jpeg.toString('base64');
}

/**
 * One interactive job: validated again, its inline bytes checked against their hashes, run in this worker's
 * engine; the result goes into Redis (with a TTL) and the job returns where it is.
 */
export async function runInteractiveJob(
  data: unknown,
  jobId: string,
  context: InteractiveContext,
): Promise<RemoteReturn> {
  const parsed = remoteJobSchema.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new IirError('invalid_argument', `not a valid IIR Studio job: ${issue?.path.join('.')} ${issue?.message}`);
  }
  const started = performance.now();
  const job = parsed.data;
  const bytes = await getInline(context.redis, job.name, job.image);
  const value = job.kind === 'edit' ? await edit(job, bytes, context) : await segment(job, bytes, context);
  const key = resultKey(jobId);
  await putResult(context.redis, key, value);
  return { kind: job.kind, resultKey: key, worker: context.workerId, ms: Math.round(performance.now() - started) };
}

async function edit(job: RemoteEditJob, bytes: Buffer, context: InteractiveContext) {
  const maskBytes = await getInline(context.redis, `the mask of ${job.name}`, job.mask.bytes);
  let lastPreviewAt = Number.NEGATIVE_INFINITY;
  return context.engine.edit(
    {
      kind: 'edit',
      imageBytes: bytes,
      mask: { width: job.mask.width, height: job.mask.height, data: new Uint8Array(maskBytes) },
      params: { ...job.params, provider: context.provider },
      modelsDir: context.modelsDir,
    },
    context.signal,
    (i, n, preview) => {
      const now = performance.now();
      if (!preview || (now - lastPreviewAt < previewIntervalMs && i < n)) return context.report({ type: 'step', i, n });
      lastPreviewAt = now;
      void thumbnail(preview).then(
        (jpeg) => context.report({ type: 'step', i, n, preview: jpeg }),
        () => context.report({ type: 'step', i, n }),
      );
    },
  );
}

async function segment(job: RemoteSegmentJob, bytes: Buffer, context: InteractiveContext) {
  const source = await openImage(bytes, { name: job.name });
  const decoded = await source.decode();
  return context.engine.segment(
    {
      kind: 'segment',
      image: decoded.rgb,
      // The content's hash: the same photo segmented again reuses its SAM embedding on this worker.
      imageKey: `remote:${job.image.sha256}`,
      ...(job.text === undefined ? {} : { text: job.text }),
      ...(job.boxImagePx ? { boxImagePx: job.boxImagePx } : {}),
      points: job.points,
      boxThreshold: job.boxThreshold,
      textThreshold: job.textThreshold,
      modelsDir: context.modelsDir,
      provider: context.provider,
    },
    context.signal,
  );
}
