import { defineStore } from 'pinia';
import { ref } from 'vue';
import type { JobEvent, JobId, JobKind } from '../../../shared/api';
import { api } from '../api/client';
import { type JobAction, type JobFlow, idleJob, jobIdOf, jobReducer } from '../jobs/jobReducer';

/** The editor's two workflows that run as jobs, each one flow at a time: an edit and a segmentation. */
export const useJobsStore = defineStore('jobs', () => {
  const flows = ref<Record<JobKind, JobFlow>>({ edit: idleJob, segment: idleJob, sweep: idleJob });
  let unsubscribe: (() => void) | null = null;

  function dispatch(kind: JobKind, action: JobAction): JobFlow {
    const next = jobReducer(flows.value[kind], action);
    flows.value = { ...flows.value, [kind]: next };
    return next;
  }

  function onEvent(event: JobEvent): void {
    dispatch(event.kind, { type: 'event', event });
  }

  /** Subscribes to `jobs:event` once. */
  function listen(): void {
    unsubscribe ??= api().on('jobs:event', onEvent);
  }

  /**
   * Runs `start` (which asks main for a job) through the flow of `kind`; catches up on events sent before the
   * job id was known, and carries out a cancel asked for in the meantime.
   */
  async function run(kind: JobKind, start: () => Promise<{ jobId: JobId }>): Promise<void> {
    listen();
    dispatch(kind, { type: 'start' });
    try {
      const { jobId } = await start();
      const flow = dispatch(kind, { type: 'started', jobId });
      const { events } = await api().jobs.events({ jobId });
      for (const event of events) dispatch(kind, { type: 'event', event });
      if (flow.status === 'cancelling') await api().jobs.cancel({ jobId });
    } catch (caught) {
      const error =
        caught instanceof Error && 'code' in caught
          ? { code: (caught as { code: JobFlowErrorCode }).code, message: caught.message }
          : { code: 'internal' as const, message: caught instanceof Error ? caught.message : String(caught) };
      dispatch(kind, { type: 'startFailed', error });
    }
  }

  async function cancel(kind: JobKind): Promise<void> {
    const flow = dispatch(kind, { type: 'cancel' });
    const jobId = jobIdOf(flow);
    if (flow.status === 'cancelling' && jobId !== null) await api().jobs.cancel({ jobId });
  }

  function reset(kind: JobKind): void {
    dispatch(kind, { type: 'reset' });
  }

  function dispose(): void {
    unsubscribe?.();
    unsubscribe = null;
  }

  return { flows, dispatch, listen, run, cancel, reset, dispose };
});

type JobFlowErrorCode = Extract<JobFlow, { status: 'failed' }>['error']['code'];
