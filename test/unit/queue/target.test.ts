import { describe, expect, it } from 'vitest';
import type { WorkerHeartbeat } from '../../../main/queue/heartbeat';
import { sharedHostAdvice, Throughput } from '../../../main/queue/heartbeat';
import { directQueueName, queueNameFor } from '../../../main/queue/jobs';
import { chooseTarget } from '../../../main/queue/target';

const pair = queueNameFor('sd15', 'controlnet-canny');

function beat(id: string, change: Partial<WorkerHeartbeat> = {}): WorkerHeartbeat {
  return {
    id,
    host: 'h',
    pid: 1,
    provider: 'cuda',
    resolvedProvider: 'cuda',
    device: { name: 'GPU', memoryBytes: null },
    threads: null,
    concurrency: 1,
    models: ['sd15', 'controlnet-canny', 'grounding-dino-tiny', 'sam'],
    queues: [pair],
    direct: directQueueName(id),
    current: null,
    done: 0,
    failed: 0,
    perMinute: null,
    msPerJob: null,
    startedAt: '',
    seenAt: '',
    ...change,
  };
}

const edit = { kind: 'edit' as const, params: { sd: 'sd15', controlnet: 'controlnet-canny' } };
const none = new Set<string>();

describe('where an editor’s job goes', () => {
  it('to the fastest free worker that has its models', () => {
    const workers = [
      beat('slow', { msPerJob: 9000 }),
      beat('new'),
      beat('fast-busy', { msPerJob: 1000, current: 'job-1' }),
      beat('fast', { msPerJob: 2000 }),
      beat('fastest-without-models', { msPerJob: 500, models: ['sd15', 'controlnet-iir'] }),
    ];
    expect(chooseTarget(workers, edit, none, 'q')).toEqual({ queue: directQueueName('fast'), worker: 'fast' });
    expect(chooseTarget(workers, { kind: 'segment' }, none, 'q').worker).toBe('fastest-without-models');
  });

  it('to the shared queue of its models when every able worker is busy, passing over stopped ones', () => {
    const workers = [beat('a', { current: 'x', msPerJob: 1 }), beat('b', { msPerJob: 2 })];
    expect(chooseTarget(workers, edit, new Set(['b']), 'q')).toEqual({ queue: pair, worker: null });
  });

  it('refuses in one line when no live worker has the models', () => {
    expect(() => chooseTarget([beat('a')], { kind: 'edit', params: { sd: 'sd21' } }, none, 'redis://h:1/0')).toThrow(
      'no live worker on redis://h:1/0 has sd21',
    );
  });
});

describe('a worker’s throughput', () => {
  it('counts jobs per minute and time per job over its window', () => {
    const throughput = new Throughput(60_000);
    expect(throughput.figures(0, 10_000)).toEqual({ perMinute: null, msPerJob: null });
    throughput.add(2000, 5000);
    throughput.add(4000, 20_000);
    expect(throughput.figures(0, 30_000)).toEqual({ perMinute: 4, msPerJob: 3000 });
    // The first job leaves the 60 s window.
    expect(throughput.figures(0, 70_000)).toEqual({ perMinute: 1, msPerJob: 4000 });
  });
});

describe('workers sharing a host', () => {
  const on = (id: string, host: string, threads: number | null) => beat(id, { host, threads });

  it('advises a share of the cores when the budgets on one host add up to more than its cores', () => {
    const self = { id: 'b', host: 'box', threads: 2 };
    expect(sharedHostAdvice([on('a', 'box', 2), on('b', 'box', 2)], self, 2)).toBe(
      '2 workers on box use 4 threads on 2 cores and will slow each other down: start each with --threads 1',
    );
    // A worker without a budget uses every core.
    expect(sharedHostAdvice([on('a', 'box', null)], { ...self, threads: 1 }, 8)).toContain('use 9 threads on 8 cores');
  });

  it('says nothing when the budgets fit, or the others are on other hosts', () => {
    const self = { id: 'b', host: 'box', threads: 1 };
    expect(sharedHostAdvice([on('a', 'box', 1), on('b', 'box', 1)], self, 2)).toBeNull();
    expect(sharedHostAdvice([on('a', 'other', 2), on('b', 'box', 1)], { ...self, threads: 2 }, 2)).toBeNull();
    expect(sharedHostAdvice([], self, 2)).toBeNull();
  });
});
