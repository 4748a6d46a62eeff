import type { ApiError, ImageId, JobEvent, JobId, JobResult } from '../../../shared/api';

/** One job as the editor follows it, from the click to its end. */
export type JobFlow =
  | { readonly status: 'idle' }
  | { readonly status: 'starting' }
  | { readonly status: 'queued'; readonly jobId: JobId; readonly position: number | null }
  | { readonly status: 'loading'; readonly jobId: JobId }
  | {
      readonly status: 'running';
      readonly jobId: JobId;
      readonly step: number;
      readonly steps: number;
      readonly previewId: ImageId | null;
    }
  /** Cancel asked; `jobId` is null while the start request is still in flight. */
  | { readonly status: 'cancelling'; readonly jobId: JobId | null; readonly step: number; readonly steps: number }
  | { readonly status: 'completed'; readonly jobId: JobId; readonly result: JobResult }
  | { readonly status: 'failed'; readonly jobId: JobId | null; readonly error: ApiError }
  | { readonly status: 'cancelled'; readonly jobId: JobId | null };

/** What happens to a job flow. */
export type JobAction =
  | { readonly type: 'start' }
  | { readonly type: 'started'; readonly jobId: JobId }
  | { readonly type: 'startFailed'; readonly error: ApiError }
  | { readonly type: 'event'; readonly event: JobEvent }
  | { readonly type: 'cancel' }
  | { readonly type: 'reset' };

export const idleJob: JobFlow = { status: 'idle' };

/** True while a job is asked for, queued, loading, running or being cancelled. */
export function isJobActive(flow: JobFlow): boolean {
  return (
    flow.status === 'starting' ||
    flow.status === 'queued' ||
    flow.status === 'loading' ||
    flow.status === 'running' ||
    flow.status === 'cancelling'
  );
}

/** The job id of an active or finished flow, or null. */
export function jobIdOf(flow: JobFlow): JobId | null {
  return 'jobId' in flow ? flow.jobId : null;
}

/** Progress in [0, 1] for the progress line, or null when unknown. */
export function jobProgress(flow: JobFlow): number | null {
  if (flow.status === 'running' || flow.status === 'cancelling') return flow.steps > 0 ? flow.step / flow.steps : null;
  if (flow.status === 'completed') return 1;
  return null;
}

function eventTerminal(event: JobEvent): JobFlow | null {
  if (event.type === 'completed') return { status: 'completed', jobId: event.jobId, result: event.result };
  if (event.type === 'failed') return { status: 'failed', jobId: event.jobId, error: event.error };
  if (event.type === 'cancelled') return { status: 'cancelled', jobId: event.jobId };
  return null;
}

function onEvent(flow: JobFlow, event: JobEvent): JobFlow {
  if (!isJobActive(flow) || flow.status === 'starting') return flow;
  if (jobIdOf(flow) !== event.jobId) return flow;
  const terminal = eventTerminal(event);
  if (terminal) return terminal;
  if (flow.status === 'cancelling') {
    return event.type === 'step' ? { ...flow, step: event.i, steps: event.n } : flow;
  }
  switch (event.type) {
    case 'queued':
      return flow.status === 'queued' ? { ...flow, position: event.position } : flow;
    case 'loading':
      return flow.status === 'queued' ? { status: 'loading', jobId: event.jobId } : flow;
    case 'step': {
      const previous = flow.status === 'running' ? flow : null;
      if (previous && event.i < previous.step) return flow;
      return {
        status: 'running',
        jobId: event.jobId,
        step: event.i,
        steps: event.n,
        previewId: event.previewId ?? previous?.previewId ?? null,
      };
    }
  }
  return flow;
}

/** The job flow's pure reducer; events of other jobs and events after the end are ignored. */
export function jobReducer(flow: JobFlow, action: JobAction): JobFlow {
  switch (action.type) {
    case 'start':
      return isJobActive(flow) ? flow : { status: 'starting' };
    case 'started':
      if (flow.status === 'starting') return { status: 'queued', jobId: action.jobId, position: null };
      if (flow.status === 'cancelling' && flow.jobId === null) return { ...flow, jobId: action.jobId };
      return flow;
    case 'startFailed':
      if (flow.status === 'starting') return { status: 'failed', jobId: null, error: action.error };
      if (flow.status === 'cancelling' && flow.jobId === null) return { status: 'cancelled', jobId: null };
      return flow;
    case 'event':
      return onEvent(flow, action.event);
    case 'cancel':
      if (flow.status !== 'queued' && flow.status !== 'loading' && flow.status !== 'running') {
        return flow.status === 'starting' ? { status: 'cancelling', jobId: null, step: 0, steps: 0 } : flow;
      }
      return {
        status: 'cancelling',
        jobId: flow.jobId,
        step: flow.status === 'running' ? flow.step : 0,
        steps: flow.status === 'running' ? flow.steps : 0,
      };
    case 'reset':
      return isJobActive(flow) ? flow : idleJob;
  }
}
