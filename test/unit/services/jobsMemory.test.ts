import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { expect, it } from 'vitest';
import type { ImageId, JobEvent } from '../../../shared/api';
import { JobQueue } from '../../../main/services/jobs';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const tick = () => new Promise((resolve) => setTimeout(resolve, 10));

/** Queues a job whose work holds `bytes` of pixels (as a search holds its photo's); answers a weak ref to them. */
async function finishedJobHolding(queue: JobQueue, events: JobEvent[], bytes: number): Promise<WeakRef<Uint8Array>> {
  const pixels = new Uint8Array(bytes);
  const ref = new WeakRef(pixels);
  queue.submit({
    kind: 'segment',
    device: 'cpu',
    run: () => {
      pixels[0] = 1;
      return Promise.resolve({ kind: 'segment', maskId: 'img_1' as ImageId, instances: [], message: null });
    },
  });
  while (!events.some((event) => event.type === 'completed')) await tick();
  return ref;
}

it('lets go of a finished job’s work: a batch’s photos are not kept alive by the jobs the queue remembers', async () => {
  const events: JobEvent[] = [];
  const queue = new JobQueue({ emit: (event) => events.push(event) });
  const ref = await finishedJobHolding(queue, events, 8 * 1024 * 1024);
  await tick();
  gc();
  await tick();
  expect(ref.deref()).toBeUndefined();
  // The queue still lists the job.
  expect(queue.list().map((job) => job.state)).toEqual(['completed']);
});
