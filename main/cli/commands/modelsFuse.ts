/**
 * `models fuse <sd> <controlnet>`: fuses a split ControlNet with the SD set's residual UNet into one graph beside
 * them (main/models/fuse.ts), so CUDA and DirectML run one session per step and no residual crosses JS. The engine
 * uses the fused graph for that pair from then on, while the files it points at are unchanged.
 */
import { invalidArgument } from '../../../shared/errors';
import { fuseModelSet } from '../../models/fuse';
import { resolveModel } from '../../models/receipt';
import type { CommandContext } from '../command';

export async function fuseAction(
  args: readonly string[],
  modelsDir: string,
  json: boolean,
  context: CommandContext,
): Promise<void> {
  if (args.length !== 2)
    throw invalidArgument('fuse takes an SD1.5 model and a ControlNet: models fuse <sd> <controlnet>');
  const sd = await resolveModel(modelsDir, args[0]!, 'sd15');
  const controlnet = await resolveModel(modelsDir, args[1]!);
  if (controlnet.receipt && !controlnet.receipt.role.startsWith('controlnet')) {
    throw invalidArgument(`${args[1]} is a ${controlnet.receipt.role} model, not a ControlNet`);
  }
  const fused = await fuseModelSet(sd.dir, controlnet.dir);
  if (json) context.printJson(fused);
  else context.log(`fused ${args[0]} + ${args[1]} into ${fused.path} (${fused.bytes} bytes; no weights copied)`);
}
