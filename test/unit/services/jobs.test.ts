import { describe, expect, it } from 'vitest';
import type { JobEvent, JobId, JobResult } from '../../../shared/api';
import { IirError } from '../../../shared/errors';
import { type JobContext, JobQueue } from '../../../main/services/jobs';

/** A job whose progress and outcome the test drives by hand. */
function controlled() {
  let context: JobContext | undefined;
  let finish: (result: JobResult) => void = () => undefined;
  let fail: (error: unknown) => void = () => undefined;
  let started: () => void = () => undefined;
  const hasStarted = new Promise<void>((resolve) => (started = resolve));
  const spec = {
    kind: 'edit' as const,
    device: 'cpu',
    run: (ctx: JobContext) =>
      new Promise<JobResult>((resolve, reject) => {
        context = ctx;
        finish = resolve;
        fail = reject;
        ctx.signal.addEventListener('abort', () => reject(new IirError('cancelled', 'cancelled')));
        started();
      }),
  };
  return {
    spec,
    hasStarted,
    context: () => context!,
    finish: (result: JobResult) => finish(result),
    fail: (error: unknown) => fail(error),
  };
}

const editResult: JobResult = { kind: 'edit', resultIds: [], seeds: [1], provider: 'cpu' };

function setup() {
  const events: JobEvent[] = [];
  let clock = 0;
  const queue = new JobQueue({ emit: (event) => events.push(event), now: () => clock });
  const of = (id: JobId) => events.filter((event) => event.jobId === id).map((event) => event.type);
  return { queue, events, of, tick: (ms: number) => (clock += ms) };
}

describe('JobQueue', () => {
  it('runs jobs one at a time per device, with positions, in order, each ending exactly once', async () => {
    const { queue, of, events, tick } = setup();
    const a = controlled();
    const b = controlled();
    const c = controlled();
    const idA = queue.submit(a.spec);
    const idB = queue.submit(b.spec);
    const idC = queue.submit({ ...c.spec, device: 'webgpu' });
    await a.hasStarted;
    await c.hasStarted;
    expect(queue.list().map((job) => [job.jobId, job.state, job.position])).toEqual([
      [idA, 'running', null],
      [idB, 'queued', 1],
      [idC, 'running', null],
    ]);
    expect(events.find((e) => e.jobId === idB && e.type === 'queued')).toMatchObject({ position: 1 });
    a.context().progress({ type: 'loading' });
    a.context().progress({ type: 'step', i: 1, n: 3 });
    tick(100);
    a.context().progress({ type: 'step', i: 2, n: 3 });
    a.finish(editResult);
    await b.hasStarted;
    expect(
      events.filter((e) => e.jobId === idB && e.type === 'queued').map((e) => e.type === 'queued' && e.position),
    ).toEqual([1]);
    b.fail(new Error('boom'));
    c.fail(new IirError('model_missing', 'no model'));
    await queue.whenIdle();
    expect(of(idA)).toEqual(['queued', 'loading', 'step', 'step', 'completed']);
    expect(of(idB)).toEqual(['queued', 'failed']);
    expect(events.at(-2)).toMatchObject({ jobId: idB, type: 'failed', error: { code: 'internal' } });
    expect(events.find((e) => e.jobId === idC && e.type === 'failed')).toMatchObject({
      error: { code: 'model_missing', message: 'no model' },
    });
    a.context().progress({ type: 'step', i: 3, n: 3 });
    expect(of(idA).at(-1)).toBe('completed');
  });

  it('throttles step events to 10 per second, and always sends the last step', async () => {
    const { queue, events, tick } = setup();
    const a = controlled();
    const id = queue.submit(a.spec);
    await a.hasStarted;
    let previews = 0;
    for (let i = 1; i <= 100; i++) {
      a.context().progress({
        type: 'step',
        i,
        n: 100,
        preview: () => {
          previews++;
          return undefined;
        },
      });
      tick(10);
    }
    const steps = events.filter((e) => e.jobId === id && e.type === 'step');
    expect(steps).toHaveLength(11);
    expect(steps.map((e) => e.type === 'step' && e.i)).toEqual([1, 11, 21, 31, 41, 51, 61, 71, 81, 91, 100]);
    expect(previews).toBe(11);
    a.finish(editResult);
    await queue.whenIdle();
  });

  it('cancels a queued job and a running one, idempotently, as cancelled (never failed)', async () => {
    const { queue, of } = setup();
    const a = controlled();
    const b = controlled();
    const c = controlled();
    const idA = queue.submit(a.spec);
    const idB = queue.submit(b.spec);
    const idC = queue.submit(c.spec);
    await a.hasStarted;
    expect(queue.cancel(idB)).toBe(true);
    expect(queue.cancel(idB)).toBe(false);
    expect(queue.list().find((job) => job.jobId === idC)?.position).toBe(1);
    expect(queue.cancel(idA)).toBe(true);
    expect(queue.cancel(idA)).toBe(false);
    await c.hasStarted;
    c.finish(editResult);
    await queue.whenIdle();
    expect(of(idA)).toEqual(['queued', 'cancelled']);
    expect(of(idB)).toEqual(['queued', 'cancelled']);
    expect(of(idC)).toEqual(['queued', 'queued', 'completed']);
    expect(queue.cancel(idC)).toBe(false);
    expect(queue.cancel('job_unknown' as JobId)).toBe(false);
  });
});
