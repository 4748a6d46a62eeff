/**
 * `models quantize <model>…`: makes the int8 variant `<model>-int8` of installed SD1.5 sets and ControlNets
 * (main/models/quantizeModel.ts): smaller weights for CPU users, installed beside the source, which stays as it was.
 */
import { formatBytes } from '../../../shared/format';
import { invalidArgument } from '../../../shared/errors';
import { makeInt8Variant } from '../../models/quantizeModel';
import type { CommandContext } from '../command';

export async function quantizeAction(
  args: readonly string[],
  modelsDir: string,
  json: boolean,
  context: CommandContext,
): Promise<void> {
  if (args.length === 0)
    throw invalidArgument('quantize takes the models to make int8 variants of: models quantize <id>…');
  const results = [];
  for (const id of args) {
    const bar = context.progress(`${id} → int8`);
    try {
      const result = await makeInt8Variant({
        modelsDir,
        id,
        signal: context.signal,
        onProgress: (p) =>
          bar.update(p.bytesTotal > 0 ? p.bytesDone / p.bytesTotal : 0, p.file ? `${p.file}` : undefined),
      });
      const { receipt, params, writtenBytes } = result;
      bar.finish(
        json
          ? undefined
          : `${receipt.id}: int8 variant of ${id}, ${(params / 1e6).toFixed(1)} M weights in int8, ${formatBytes(writtenBytes)} written (its quality has not been judged yet)`,
      );
      results.push({ id: receipt.id, from: id, params, writtenBytes, files: receipt.files.length });
    } catch (error) {
      bar.finish();
      throw error;
    }
  }
  if (json) context.printJson({ variants: results });
}
