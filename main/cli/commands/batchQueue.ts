import type { BatchSummary } from '../../batch/runner';
import { pauseBatch, resumeBatch, watchBatchState } from '../../queue/batchControl';
import { followBatch, type FollowOptions } from '../../queue/client';
import type { QueueAddress } from '../../queue/connection';
import type { BatchManifest } from '../../queue/jobs';
import type { CommandContext } from '../command';
import { UsageError } from '../options';

/** `--attach <id> --pause` / `--resume`: one line saying how many photos were held or put back. */
export async function controlBatch(
  address: QueueAddress,
  manifest: BatchManifest,
  options: { pause: boolean; resume: boolean; json: boolean },
  context: CommandContext,
): Promise<void> {
  if (options.pause && options.resume) throw new UsageError('--pause or --resume, not both');
  const photos = options.pause ? await pauseBatch(address, manifest) : await resumeBatch(address, manifest);
  const state = options.pause ? 'paused' : 'resumed';
  if (options.json) context.printJson({ batchId: manifest.batchId, state, photos });
  else if (options.pause)
    context.log(`paused batch ${manifest.batchId}: ${photos} photos held off the queue (photos in hand finish)`);
  else context.log(`resumed batch ${manifest.batchId}: ${photos} photos back on the queue`);
}

/** Follows a batch, saying so when someone pauses or resumes it meanwhile. */
export async function followAttached(
  address: QueueAddress,
  manifest: BatchManifest,
  options: FollowOptions,
  context: CommandContext,
): Promise<BatchSummary> {
  const watch = await watchBatchState(address, manifest.batchId, (event) =>
    context.log(
      event.state === 'paused'
        ? `batch paused: ${event.photos} photos held (iir batch --attach ${manifest.batchId} --resume)`
        : `batch resumed: ${event.photos} photos back on the queue`,
    ),
  );
  try {
    return await followBatch(address, manifest, options);
  } finally {
    watch.close();
  }
}
