import { availableParallelism, hostname } from 'node:os';
import { EngineClient } from '../../engine/process/client';
import { forkLauncher } from '../../engine/process/launcher';
import { providerChoices } from '../../engine/providers';
import { applySharpThreads, defaultThreads, maxThreads } from '../../engine/threads';
import { SerialEngine } from '../../batch/engine';
import { readModelSettings, resolveModelsDir } from '../../models/modelSettings';
import { connectQueue, parseQueueUrl, type QueueAddress } from '../../queue/connection';
import { readHeartbeats, sharedHostAdvice } from '../../queue/heartbeat';
import { resolveRoots } from '../../queue/roots';
import { startQueueWorker } from '../../queue/worker';
import { defineCommand } from '../command';
import { modelsOption } from '../modelsOption';
import { queueOption } from '../queueOption';

/** The provider `auto` picks on this machine (the engine's pre-flight), or null when the pre-flight fails. */
async function autoProvider(client: EngineClient): Promise<string | null> {
  try {
    const value = await client.run({ kind: 'preflight', refresh: false });
    return value.kind === 'preflight' ? value.report.auto : null;
  } catch {
    return null;
  }
}

/** What {@link sharedHostAdvice} says about this worker and the others already on its host (null if unreadable). */
async function adviceForHost(address: QueueAddress, id: string, threads: number): Promise<string | null> {
  try {
    const redis = await connectQueue(address);
    try {
      return sharedHostAdvice(await readHeartbeats(redis), { id, host: hostname(), threads }, availableParallelism());
    } finally {
      redis.disconnect();
    }
  } catch {
    return null;
  }
}

/** `iir worker`: edit batch photos from a Redis queue on this machine's GPU (or CPU). */
export const workerCommand = defineCommand({
  name: 'worker',
  summary: 'take edit jobs from a Redis queue (BullMQ) and run them on this machine until stopped',
  description:
    'Listens on the queue for the jobs whose models are installed here (every SD1.5 × ControlNet pair, with\n' +
    'GroundingDINO and SAM) and runs them in its own engine process, the same code path as the app. Jobs may read\n' +
    'only inside --inputs and write only inside --outputs (a shared folder mounted at the same path everywhere).\n' +
    'It also takes the editor\u2019s edits and searches (Remote workers, iir serve --queue): their photo travels\n' +
    'inline through Redis, and they run before any waiting batch photo. Its heartbeat says what it has and does\n' +
    '(iir workers). A worker killed mid-job has its job retried by another (up to 3 attempts). SIGTERM or Ctrl-C:\n' +
    'the job in hand is finished, no new one is taken. The queue address is never printed with its password.\n' +
    '--threads caps the CPU threads its engine (every ONNX Runtime session) and image decoding (sharp) use; by\n' +
    'default the cores divided by --concurrency. When several workers share one host, split the cores between\n' +
    'them (two workers on 8 cores: --threads 4 each), or they fight over the same cores and gain little.',
  positionals: [],
  options: {
    ...queueOption,
    inputs: {
      type: 'string',
      valueName: 'dir',
      required: true,
      multiple: true,
      description: 'a folder jobs may read photos from (repeatable)',
    },
    outputs: {
      type: 'string',
      valueName: 'dir',
      required: true,
      multiple: true,
      description: 'a folder jobs may write results to (repeatable)',
    },
    ...modelsOption,
    provider: {
      type: 'string',
      valueName: 'name',
      choices: providerChoices,
      default: 'auto',
      description: 'execution provider',
    },
    concurrency: {
      type: 'number',
      valueName: 'n',
      integer: true,
      min: 1,
      max: 8,
      default: 1,
      description: 'jobs in hand at once (the engine edits one at a time; reading and writing overlap)',
    },
    threads: {
      type: 'number',
      valueName: 'n',
      integer: true,
      min: 1,
      max: maxThreads,
      description: `CPU threads for the engine and sharp (default: cores ÷ --concurrency, ${defaultThreads(1)} here)`,
    },
    'lock-ms': {
      type: 'number',
      valueName: 'ms',
      integer: true,
      min: 1000,
      max: 600_000,
      default: 30_000,
      description: 'how long a silent worker keeps its job before another takes it',
    },
  },
  examples: [
    'worker --queue redis://:secret@gpu-box:6379/0 --inputs /mnt/photos --outputs /mnt/results --provider cuda',
    'worker --queue redis://:secret@cpu-box:6379/0 --inputs /mnt/photos --outputs /mnt/results --threads 4',
  ],
  async run({ options }, context) {
    const address = parseQueueUrl(options.queue);
    (await connectQueue(address)).disconnect();
    const inputRoots = await resolveRoots(options.inputs, 'input');
    const outputRoots = await resolveRoots(options.outputs, 'output');
    const modelsDir = resolveModelsDir(options.models, await readModelSettings(context.env), context.env);
    const threads = options.threads ?? defaultThreads(options.concurrency);
    applySharpThreads(threads);
    const client = new EngineClient(forkLauncher(undefined, context.env, threads));
    const resolvedProvider = options.provider === 'auto' ? await autoProvider(client) : options.provider;
    const worker = await startQueueWorker({
      resolvedProvider,
      address,
      modelsDir,
      provider: options.provider,
      concurrency: options.concurrency,
      inputRoots,
      outputRoots,
      lockMs: options['lock-ms'],
      engine: new SerialEngine(client, threads),
      log: (message) => context.log(message),
    }).catch((error: unknown) => {
      client.dispose();
      throw error;
    });
    context.log(`worker ${worker.id} on ${address.display}: ${worker.queues.join(', ')}`);
    context.log(`${threads} CPU thread${threads === 1 ? '' : 's'} for the engine and image decoding (--threads)`);
    const advice = await adviceForHost(address, worker.id, threads);
    if (advice) context.log(advice);
    await new Promise<void>((resolve) => {
      const stop = (): void => resolve();
      context.signal.addEventListener('abort', stop, { once: true });
      process.once('SIGTERM', stop);
    });
    context.log('stopping: finishing the job in hand');
    await worker.close();
    client.dispose();
  },
});
