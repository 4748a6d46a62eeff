import { IirError } from '../../shared/errors';
import type { WorkerHeartbeat } from './heartbeat';
import { queueNameFor } from './jobs';

/** Where an editor's job goes: a worker's own queue (and which worker), or the shared queue of its models. */
export interface JobTarget {
  readonly queue: string;
  readonly worker: string | null;
}

/**
 * The fastest free live worker that has `needs` (by its time per job; one without a figure yet comes after those
 * with one), else the shared queue of the edit's models, where the first worker to free up takes it before any
 * waiting batch photo. Workers in `exclude` (they stopped with this job) are passed over.
 */
export function chooseTarget(
  workers: readonly WorkerHeartbeat[],
  job: { kind: 'edit'; params: { sd?: string; controlnet?: string } } | { kind: 'segment' },
  exclude: ReadonlySet<string>,
  queueDisplay: string,
): JobTarget {
  const needs = job.kind === 'edit' ? [job.params.sd, job.params.controlnet].filter((m) => m !== undefined) : [];
  const able = workers
    .filter((w) => w.direct !== null && w.queues.length > 0 && !exclude.has(w.id))
    .filter((w) => needs.every((m) => w.models.includes(m)))
    .sort((a, b) => (a.msPerJob ?? Infinity) - (b.msPerJob ?? Infinity));
  if (able.length === 0) {
    const what = needs.length > 0 ? needs.join(' and ') : 'the segmentation and edit models';
    throw new IirError('model_missing', `no live worker on ${queueDisplay} has ${what}`);
  }
  const free = able.find((w) => w.current === null);
  if (free) return { queue: free.direct!, worker: free.id };
  const { sd, controlnet } = job.kind === 'edit' ? job.params : {};
  return { queue: sd && controlnet ? queueNameFor(sd, controlnet) : able[0]!.queues[0]!, worker: null };
}
