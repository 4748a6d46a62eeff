import { GroundingDinoForObjectDetection, GroundingDinoProcessor } from '@huggingface/transformers';
import type { PreTrainedModel, RawImage, Tensor } from '@huggingface/transformers';

import { IirError } from '../../../shared/errors';
import { clampBox, type Detection } from './boxes';
import { groundingPrompt } from './phrases';
import { configureTransformers, detectDtype, elapsedMs, type SegmentationDevice } from './runtime';

/** Score thresholds of GroundingDINO (its paper's defaults are 0.35 / 0.25). */
export interface GroundingThresholds {
  /** A box is kept when its best token probability exceeds this. */
  readonly boxThreshold: number;
  /** A kept box needs at least one phrase token above this. */
  readonly textThreshold: number;
}

/** What one phrase found: the boxes above threshold and the best score seen, kept or not (for "nothing found"). */
export interface PhraseDetections {
  readonly phrase: string;
  readonly detections: Detection[];
  readonly bestScore: number;
}

interface ImageInputs {
  readonly pixel_values: Tensor;
  readonly pixel_mask: Tensor;
}

interface PostProcessed {
  readonly scores: number[];
  readonly boxes: number[][];
  readonly labels: string[];
}

/** GroundingDINO through transformers.js: text phrase + image → scored boxes in original-image pixels. */
export class GroundingDetector {
  /** Forward passes run so far (one per phrase). */
  runs = 0;

  private constructor(
    readonly modelDir: string,
    readonly device: SegmentationDevice,
    private readonly model: PreTrainedModel,
    private readonly processor: GroundingDinoProcessor,
  ) {}

  /** Loads the model folder (transformers.js layout) on `device`. */
  static async load(modelDir: string, device: SegmentationDevice): Promise<GroundingDetector> {
    configureTransformers();
    const dtype = detectDtype(modelDir, 'model');
    try {
      const [model, processor] = await Promise.all([
        GroundingDinoForObjectDetection.from_pretrained(modelDir, { device, dtype, local_files_only: true }),
        // The processor class is named here: exports do not all record `processor_class`.
        GroundingDinoProcessor.from_pretrained(modelDir, { local_files_only: true }),
      ]);
      return new GroundingDetector(modelDir, device, model, processor as GroundingDinoProcessor);
    } catch (error) {
      throw new IirError('model_missing', `cannot load GroundingDINO from ${modelDir}: ${firstLine(error)}`, {
        cause: error,
      });
    }
  }

  /** Resizes and normalises the image once; every phrase reuses the result. */
  async prepareImage(image: RawImage): Promise<ImageInputs> {
    const imageProcessor = this.processor.image_processor;
    if (!imageProcessor) throw new IirError('model_missing', `${this.modelDir} has no image processor`);
    const inputs: unknown = await imageProcessor(image);
    return inputs as ImageInputs;
  }

  /** Runs one phrase; boxes come back in the pixels of the `width`×`height` original image. */
  async detect(
    imageInputs: ImageInputs,
    phrase: string,
    size: { width: number; height: number },
    thresholds: GroundingThresholds,
  ): Promise<PhraseDetections & { ms: number }> {
    const start = performance.now();
    const tokenizer = this.processor.tokenizer;
    if (!tokenizer) throw new IirError('model_missing', `${this.modelDir} has no tokenizer`);
    const textInputs = tokenizer(groundingPrompt(phrase)) as Record<string, Tensor>;
    const outputs = (await this.model({ ...textInputs, ...imageInputs })) as { logits: Tensor; pred_boxes: Tensor };
    this.runs++;
    const inputIds = textInputs.input_ids;
    if (!inputIds) throw new IirError('internal', 'the GroundingDINO tokenizer returned no input_ids');
    const [result] = this.processor.post_process_grounded_object_detection(outputs, inputIds, {
      box_threshold: thresholds.boxThreshold,
      text_threshold: thresholds.textThreshold,
      target_sizes: [[size.height, size.width]],
    }) as PostProcessed[];
    const detections: Detection[] = [];
    if (result) {
      result.boxes.forEach((box, i) => {
        // A box none of whose phrase tokens passes the text threshold has no label: GroundingDINO drops it.
        if ((result.labels[i] ?? '').trim() === '') return;
        const [x0 = 0, y0 = 0, x1 = 0, y1 = 0] = box;
        const boxImagePx = clampBox({ x0, y0, x1, y1 }, size.width, size.height);
        if (boxImagePx.x1 <= boxImagePx.x0 || boxImagePx.y1 <= boxImagePx.y0) return;
        detections.push({ boxImagePx, phrase, score: result.scores[i] ?? 0 });
      });
    }
    return { phrase, detections, bestScore: bestProbability(outputs.logits), ms: elapsedMs(start) };
  }

  async dispose(): Promise<void> {
    await this.model.dispose();
  }
}

function bestProbability(logits: Tensor): number {
  const data = logits.data as Float32Array;
  let best = -Infinity;
  for (let i = 0; i < data.length; i++) if (data[i]! > best) best = data[i]!;
  return 1 / (1 + Math.exp(-best));
}

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? '';
}
