/**
 * The app's side of `models:quantize` (and `models:widen`): makes an int8 (or fp32) variant in main (file I/O and one weight at a time, see
 * main/models/quantizeModel.ts) while the sheet shows its progress. Refusals (not installed, not an SD1.5 set or
 * ControlNet, already made, too little disk) answer the request itself; once the work has started, its end comes
 * as a `models:progress` event (`done`, `failed` with its one-line reason, or `cancelled`).
 */
import type { ModelProgress } from '../../shared/api';
import { isIirError } from '../../shared/errors';
import { int8VariantId, makeInt8Variant, type QuantizeProgress } from '../models/quantizeModel';

/** How one kind of variant is named and made (the int8 variant by default; services/models.ts adds fp32). */
export interface VariantMaker {
  readonly variantId: (id: string) => string;
  readonly make: (options: {
    modelsDir: string;
    id: string;
    signal: AbortSignal;
    onProgress: (p: QuantizeProgress) => void;
  }) => Promise<unknown>;
}

const int8Maker: VariantMaker = { variantId: int8VariantId, make: makeInt8Variant };

/** At most one progress event per this many milliseconds (the last one always goes). */
const progressIntervalMs = 250;

export class QuantizeRuns {
  private readonly running = new Map<string, AbortController>();

  constructor(
    private readonly emitProgress: (progress: ModelProgress) => void,
    private readonly log: (message: string, error?: unknown) => void,
    private readonly maker: VariantMaker = int8Maker,
  ) {}

  /** Stops the making of variant `variantId` (its staging folder is removed); false when none runs. */
  cancel(variantId: string): boolean {
    const controller = this.running.get(variantId);
    controller?.abort();
    return controller !== undefined;
  }

  /** Starts making the variant (`<id>-int8`); resolves once the checks passed and the writing began. */
  async start(modelsDir: string, id: string): Promise<{ started: string }> {
    const variant = this.maker.variantId(id);
    if (this.running.has(variant)) return { started: variant };
    const controller = new AbortController();
    let begun = false;
    let began = (): void => undefined;
    const beginning = new Promise<void>((resolve) => (began = resolve));
    let last = 0;
    let total = 0;
    const report = (p: QuantizeProgress, state: ModelProgress['state'], message: string | null = null): void => {
      total = p.bytesTotal;
      this.emitProgress({
        modelId: variant,
        state,
        file: p.file,
        bytesDone: p.bytesDone,
        bytesTotal: p.bytesTotal,
        bytesPerSecond: 0,
        etaSeconds: null,
        message,
      });
    };
    const job = this.maker.make({
      modelsDir,
      id,
      signal: controller.signal,
      onProgress: (p) => {
        begun = true;
        began();
        if (Date.now() - last < progressIntervalMs && p.bytesDone < p.bytesTotal) return;
        last = Date.now();
        report(p, 'quantizing');
      },
    });
    this.running.set(variant, controller);
    job.then(
      () => report({ file: null, bytesDone: total, bytesTotal: total }, 'done'),
      (error: unknown) => {
        if (!begun) return; // a refusal: it answers the request itself
        if (!isIirError(error)) this.log(`making ${variant} failed`, error);
        const cancelled = isIirError(error) && error.code === 'cancelled';
        const message = isIirError(error) ? error.message : `making ${variant} failed; see the log`;
        report({ file: null, bytesDone: 0, bytesTotal: total }, cancelled ? 'cancelled' : 'failed', message);
      },
    );
    void job.catch(() => undefined).finally(() => this.running.delete(variant));
    await Promise.race([beginning, job]);
    return { started: variant };
  }
}
