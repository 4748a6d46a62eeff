import { formatBytes } from '../../../shared/format';
import { connectQueue, parseQueueUrl } from '../../queue/connection';
import { readHeartbeats, type WorkerHeartbeat } from '../../queue/heartbeat';
import { defineCommand } from '../command';
import { queueOption } from '../queueOption';

/** One worker as a line: id, device, provider, models, what it is doing, its throughput. */
export function describeWorker(w: WorkerHeartbeat): string {
  const memory = w.device.memoryBytes === null ? '' : ` ${formatBytes(w.device.memoryBytes)}`;
  const provider =
    w.resolvedProvider && w.resolvedProvider !== w.provider ? `${w.provider} → ${w.resolvedProvider}` : w.provider;
  const threads = w.threads === null ? 'every core' : `${w.threads} thread${w.threads === 1 ? '' : 's'}`;
  const speed =
    w.perMinute === null
      ? 'no job finished yet'
      : `${w.perMinute} jobs/min, ${(w.msPerJob! / 1000).toFixed(1)} s per job`;
  return [
    `${w.id} (${w.host}, pid ${w.pid})`,
    `  device: ${w.device.name}${memory}, provider ${provider}, ${threads}, ${w.concurrency} at a time`,
    `  models: ${w.models.join(', ') || 'none'}`,
    `  ${w.current === null ? 'idle' : `running ${w.current}`}; ${w.done} done, ${w.failed} failed; ${speed}`,
  ].join('\n');
}

/** `iir workers`: the live workers on a queue, from their heartbeats. */
export const workersCommand = defineCommand({
  name: 'workers',
  summary: 'list the live workers on a Redis queue: device, models, current job and throughput',
  description:
    'Reads the heartbeats `iir worker` renews every 5 s (a worker silent for 15 s is gone) and lists each live\n' +
    'worker, fastest first: its host, device (GPU name and memory, or the CPU), provider, installed models, the job\n' +
    'it is running, and its throughput over the last 10 minutes. The address is never printed with its password.',
  positionals: [],
  options: {
    ...queueOption,
    json: { type: 'boolean', description: 'print {"queue": …, "workers": [heartbeat…]} as one JSON line' },
  },
  examples: ['workers --queue redis://:secret@gpu-box:6379', 'workers --queue redis://gpu-box:6379 --json'],
  async run({ options }, context) {
    const address = parseQueueUrl(options.queue);
    const redis = await connectQueue(address);
    try {
      const workers = await readHeartbeats(redis);
      if (options.json) context.printJson({ queue: address.display, workers });
      else if (workers.length === 0) context.stdout.write(`no live workers on ${address.display}\n`);
      else context.stdout.write(`${workers.map(describeWorker).join('\n')}\n`);
    } finally {
      redis.disconnect();
    }
  },
});
