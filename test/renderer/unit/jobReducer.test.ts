import { describe, expect, it } from 'vitest';
import type { ImageId, JobEvent, JobId } from '../../../shared/api';
import {
  type JobAction,
  type JobFlow,
  idleJob,
  isJobActive,
  jobProgress,
  jobReducer,
} from '../../../renderer/src/jobs/jobReducer';

const id = 'job_1' as JobId;
const other = 'job_2' as JobId;
const result = { kind: 'edit', resultIds: [], seeds: [7], provider: 'cpu' } as unknown as Extract<
  JobEvent,
  { type: 'completed' }
>['result'];
const ev = (event: Record<string, unknown>): JobAction => ({
  type: 'event',
  event: { jobId: id, kind: 'edit', ...event } as JobEvent,
});
const error = { code: 'model_missing', message: 'no SD model' } as const;

const running: JobFlow = { status: 'running', jobId: id, step: 3, steps: 20, previewId: 'img_p3' as ImageId };

describe('jobReducer', () => {
  it.each<{ name: string; from: JobFlow; action: JobAction; to: JobFlow }>([
    { name: 'start from idle', from: idleJob, action: { type: 'start' }, to: { status: 'starting' } },
    { name: 'start while running is ignored', from: running, action: { type: 'start' }, to: running },
    {
      name: 'start again after a failure',
      from: { status: 'failed', jobId: null, error },
      action: { type: 'start' },
      to: { status: 'starting' },
    },
    {
      name: 'started',
      from: { status: 'starting' },
      action: { type: 'started', jobId: id },
      to: { status: 'queued', jobId: id, position: null },
    },
    {
      name: 'start refused',
      from: { status: 'starting' },
      action: { type: 'startFailed', error },
      to: { status: 'failed', jobId: null, error },
    },
    {
      name: 'queue position',
      from: { status: 'queued', jobId: id, position: null },
      action: ev({ type: 'queued', position: 2 }),
      to: { status: 'queued', jobId: id, position: 2 },
    },
    {
      name: 'loading',
      from: { status: 'queued', jobId: id, position: 1 },
      action: ev({ type: 'loading' }),
      to: { status: 'loading', jobId: id },
    },
    {
      name: 'first step',
      from: { status: 'loading', jobId: id },
      action: ev({ type: 'step', i: 1, n: 20 }),
      to: { status: 'running', jobId: id, step: 1, steps: 20, previewId: null },
    },
    {
      name: 'step keeps the last preview',
      from: running,
      action: ev({ type: 'step', i: 4, n: 20 }),
      to: { ...running, step: 4 },
    },
    {
      name: 'step with a new preview',
      from: running,
      action: ev({ type: 'step', i: 5, n: 20, previewId: 'img_p5' }),
      to: { ...running, step: 5, previewId: 'img_p5' as ImageId },
    },
    { name: 'replayed older step is ignored', from: running, action: ev({ type: 'step', i: 2, n: 20 }), to: running },
    {
      name: 'completed',
      from: running,
      action: ev({ type: 'completed', result }),
      to: { status: 'completed', jobId: id, result },
    },
    {
      name: 'failed',
      from: running,
      action: ev({ type: 'failed', error }),
      to: { status: 'failed', jobId: id, error },
    },
    {
      name: 'other job ignored',
      from: running,
      action: { type: 'event', event: { jobId: other, kind: 'edit', type: 'cancelled' } },
      to: running,
    },
    {
      name: 'cancel running',
      from: running,
      action: { type: 'cancel' },
      to: { status: 'cancelling', jobId: id, step: 3, steps: 20 },
    },
    {
      name: 'cancel before the id is known',
      from: { status: 'starting' },
      action: { type: 'cancel' },
      to: { status: 'cancelling', jobId: null, step: 0, steps: 0 },
    },
    {
      name: 'id arrives while cancelling',
      from: { status: 'cancelling', jobId: null, step: 0, steps: 0 },
      action: { type: 'started', jobId: id },
      to: { status: 'cancelling', jobId: id, step: 0, steps: 0 },
    },
    {
      name: 'cancelled ends cancelling',
      from: { status: 'cancelling', jobId: id, step: 3, steps: 20 },
      action: ev({ type: 'cancelled' }),
      to: { status: 'cancelled', jobId: id },
    },
    {
      name: 'completion wins a cancel race',
      from: { status: 'cancelling', jobId: id, step: 3, steps: 20 },
      action: ev({ type: 'completed', result }),
      to: { status: 'completed', jobId: id, result },
    },
    {
      name: 'event after the end ignored',
      from: { status: 'cancelled', jobId: id },
      action: ev({ type: 'completed', result }),
      to: { status: 'cancelled', jobId: id },
    },
    { name: 'cancel when idle ignored', from: idleJob, action: { type: 'cancel' }, to: idleJob },
    {
      name: 'reset after the end',
      from: { status: 'completed', jobId: id, result },
      action: { type: 'reset' },
      to: idleJob,
    },
    { name: 'reset while active ignored', from: running, action: { type: 'reset' }, to: running },
  ])('$name', ({ from, action, to }) => {
    expect(jobReducer(from, action)).toEqual(to);
  });

  it('reports activity and progress', () => {
    expect(isJobActive(running)).toBe(true);
    expect(isJobActive({ status: 'cancelled', jobId: id })).toBe(false);
    expect(jobProgress(running)).toBeCloseTo(0.15, 12);
    expect(jobProgress({ status: 'loading', jobId: id })).toBeNull();
  });
});
