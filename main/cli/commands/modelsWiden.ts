/**
 * `models widen <model>…`: makes the fp32 variant `<model>-fp32` of installed fp16 models (main/models/widenModel.ts):
 * on the CPU provider fp16 weights give no speed and take more memory. The variant can then be quantized.
 */
import { formatBytes } from '../../../shared/format';
import { invalidArgument } from '../../../shared/errors';
import { makeFp32Variant } from '../../models/widenModel';
import type { CommandContext } from '../command';

export async function widenAction(
  args: readonly string[],
  modelsDir: string,
  json: boolean,
  context: CommandContext,
): Promise<void> {
  if (args.length === 0)
    throw invalidArgument('widen takes the fp16 models to make fp32 variants of: models widen <id>…');
  const results = [];
  for (const id of args) {
    const bar = context.progress(`${id} → fp32`);
    try {
      const { receipt, params, writtenBytes } = await makeFp32Variant({
        modelsDir,
        id,
        signal: context.signal,
        onProgress: (p) =>
          bar.update(p.bytesTotal > 0 ? p.bytesDone / p.bytesTotal : 0, p.file ? `${p.file}` : undefined),
      });
      bar.finish(
        json
          ? undefined
          : `${receipt.id}: fp32 variant of ${id} (for CPU), ${(params / 1e6).toFixed(1)} M fp16 weights made fp32, ${formatBytes(writtenBytes)} written`,
      );
      results.push({ id: receipt.id, from: id, params, writtenBytes, files: receipt.files.length });
    } catch (error) {
      bar.finish();
      throw error;
    }
  }
  if (json) context.printJson({ variants: results });
}
