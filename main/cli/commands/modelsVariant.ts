/**
 * `models quantize` and `models widen`: each makes a derived variant of installed models, one per id, with a
 * progress bar, a line per variant (or `{ variants }` with --json). Only what is made and how it is described
 * differs (modelsQuantize.ts, modelsWiden.ts).
 */
import { formatBytes } from '../../../shared/format';
import { invalidArgument } from '../../../shared/errors';
import type { Receipt } from '../../models/receipt';
import type { CommandContext } from '../command';

export interface VariantMaker {
  /** The one-line error when no model is named. */
  readonly usage: string;
  /** What the progress bar calls the variant: `<id> → <label>`. */
  readonly label: string;
  make(options: {
    modelsDir: string;
    id: string;
    signal: CommandContext['signal'];
    onProgress: (p: { readonly file: string | null; readonly bytesDone: number; readonly bytesTotal: number }) => void;
  }): Promise<{ receipt: Receipt; params: number; writtenBytes: number }>;
  /** The line printed for a variant made from `id`, after its id and a colon. */
  describe(id: string, params: number, written: string): string;
}

/** Runs `maker` on every id in `args`. */
export async function variantAction(
  maker: VariantMaker,
  args: readonly string[],
  modelsDir: string,
  json: boolean,
  context: CommandContext,
): Promise<void> {
  if (args.length === 0) throw invalidArgument(maker.usage);
  const results = [];
  for (const id of args) {
    const bar = context.progress(`${id} → ${maker.label}`);
    try {
      const { receipt, params, writtenBytes } = await maker.make({
        modelsDir,
        id,
        signal: context.signal,
        onProgress: (p) => bar.update(p.bytesTotal > 0 ? p.bytesDone / p.bytesTotal : 0, p.file ?? undefined),
      });
      bar.finish(json ? undefined : `${receipt.id}: ${maker.describe(id, params, formatBytes(writtenBytes))}`);
      results.push({ id: receipt.id, from: id, params, writtenBytes, files: receipt.files.length });
    } catch (error) {
      bar.finish();
      throw error;
    }
  }
  if (json) context.printJson({ variants: results });
}
