import type { ProviderPerRole } from '../../../shared/api';
import { IirError } from '../../../shared/errors';
import type { Mask, Rect, RgbImage } from '../../../shared/image/types';
import { listInstalled } from '../../models/receipt';
import type { ProviderChoice } from '../providers';
import type { PromptPoint } from '../segmentation/points';
import { SegmentationEngine } from '../segmentation/segment';
import { checkThreads } from '../threads';
import type { TaskContext } from './tasks';

/** Select a region: text, a box and/or clicks, in imagePx of `image`. */
export interface SegmentTask {
  readonly kind: 'segment';
  readonly image: RgbImage;
  /** Identifies the image for the SAM embedding cache (its image id in main). */
  readonly imageKey: string;
  readonly text?: string;
  readonly boxImagePx?: Rect;
  readonly points: readonly PromptPoint[];
  readonly boxThreshold: number;
  readonly textThreshold: number;
  readonly modelsDir: string;
  /** The installed GroundingDINO and SAM to use, by id (default: the first installed of each). */
  readonly grounding?: string;
  readonly sam?: string;
  readonly provider: ProviderChoice;
  /** The user's per-model provider pins (settings), over `provider`. */
  readonly providerPerRole?: ProviderPerRole;
  /** The engine process's CPU thread budget (`iir worker --threads`); every core without. */
  readonly threads?: number;
}

/** The selected region. */
export interface SegmentValue {
  readonly kind: 'segment';
  readonly mask: Mask;
  readonly instances: readonly {
    readonly boxImagePx: Rect;
    readonly phrase: string | null;
    readonly score: number | null;
  }[];
  readonly message: string | null;
  /** The best box score for the text (found or not); null without text. */
  readonly bestScore: number | null;
}

let engine: SegmentationEngine | undefined;

async function installedDir(modelsDir: string, role: 'sam' | 'grounding', id?: string): Promise<string> {
  const installed = (await listInstalled(modelsDir)).filter((model) => model.receipt.role === role);
  const found = id === undefined ? installed[0] : installed.find((model) => model.id === id);
  if (id !== undefined && !found) {
    throw new IirError(
      'model_missing',
      `the ${role === 'sam' ? 'SAM' : 'GroundingDINO'} model "${id}" is not installed`,
    );
  }
  if (!found) {
    const what = role === 'sam' ? 'SAM model' : 'GroundingDINO model';
    throw new IirError(
      'model_missing',
      `no ${what} installed in ${modelsDir} (get it with: npm run iir -- models pull starter)`,
    );
  }
  return found.dir;
}

/** Runs Grounded-SAM in the engine process; the engine (loaded models, embedding cache) lives as long as it does. */
export async function runSegmentTask(task: SegmentTask, context: TaskContext): Promise<SegmentValue> {
  context.progress({ type: 'loading' });
  engine ??= new SegmentationEngine();
  const samDir = await installedDir(task.modelsDir, 'sam', task.sam);
  const groundingDir =
    task.text === undefined ? undefined : await installedDir(task.modelsDir, 'grounding', task.grounding);
  const result = await engine.segment(
    task.image,
    {
      samDir,
      ...(groundingDir ? { groundingDir } : {}),
      providers: {
        default: task.provider,
        ...(task.providerPerRole ? { perRole: task.providerPerRole } : {}),
        ...(task.threads === undefined ? {} : { threads: checkThreads(task.threads) }),
      },
    },
    {
      ...(task.text === undefined ? {} : { regionText: task.text }),
      ...(task.boxImagePx ? { boxImagePx: task.boxImagePx } : {}),
      points: task.points,
      boxThreshold: task.boxThreshold,
      textThreshold: task.textThreshold,
      imageKey: task.imageKey,
      signal: context.signal,
    },
  );
  return {
    kind: 'segment',
    mask: result.mask,
    instances: result.instances.map((instance) => ({
      boxImagePx: instance.boxImagePx,
      phrase: instance.phrase,
      score: instance.score,
    })),
    message: result.message,
    bestScore: result.bestScore,
  };
}
