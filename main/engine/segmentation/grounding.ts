import { GroundingDinoForObjectDetection, GroundingDinoProcessor } from '@huggingface/transformers';
import type { PreTrainedModel, Tensor } from '@huggingface/transformers';

import type ort from 'onnxruntime-node';
import { IirError } from '../../../shared/errors';
import type { RgbImage } from '../../../shared/image/types';
import { clampBox, type Detection } from './boxes';
import { groundingPrompt } from './phrases';
import { configureTransformers, detectDtype, elapsedMs, resizeForProcessor, type SegmentationDevice } from './runtime';

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

  /** Loads the model folder (transformers.js layout) on `device`, with `sessionOptions` (the thread budget) added. */
  static async load(
    modelDir: string,
    device: SegmentationDevice,
    sessionOptions: ort.InferenceSession.SessionOptions = {},
  ): Promise<GroundingDetector> {
    configureTransformers();
    const dtype = detectDtype(modelDir, 'model');
    try {
      const [model, processor] = await Promise.all([
        GroundingDinoForObjectDetection.from_pretrained(modelDir, {
          device,
          dtype,
          local_files_only: true,
          session_options: sessionOptions,
        }),
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
  async prepareImage(image: RgbImage): Promise<ImageInputs> {
    const imageProcessor = this.processor.image_processor;
    if (!imageProcessor) throw new IirError('model_missing', `${this.modelDir} has no image processor`);
    const inputs: unknown = await imageProcessor(await resizeForProcessor(image, imageProcessor));
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
    const detections = toDetections(outputs, phrase, size, thresholds);
    return { phrase, detections, bestScore: bestProbability(outputs.logits), ms: elapsedMs(start) };
  }

  async dispose(): Promise<void> {
    await this.model.dispose();
  }
}

/**
 * GroundingDINO's post-processing (as transformers' `post_process_grounded_object_detection`) on the typed arrays:
 * a query is kept when its best token probability exceeds the box threshold and some phrase token (not the first or
 * last text position) exceeds the text threshold. The library's own version throws in the second case when no
 * token qualifies (it decodes an empty label), and converts all 900×256 logits to nested arrays.
 */
function toDetections(
  outputs: { logits: Tensor; pred_boxes: Tensor },
  phrase: string,
  size: { width: number; height: number },
  thresholds: GroundingThresholds,
): Detection[] {
  const logits = outputs.logits.data as Float32Array;
  const boxes = outputs.pred_boxes.data as Float32Array;
  const [, queries = 0, textLength = 0] = outputs.logits.dims;
  const boxLogit = logit(thresholds.boxThreshold);
  const textLogit = logit(thresholds.textThreshold);
  const detections: Detection[] = [];
  for (let q = 0; q < queries; q++) {
    const row = q * textLength;
    let best = -Infinity;
    let hasWord = false;
    for (let t = 0; t < textLength; t++) {
      const v = logits[row + t]!;
      if (v > best) best = v;
      if (t > 0 && t < textLength - 1 && v > textLogit) hasWord = true;
    }
    if (!(best > boxLogit) || !hasWord) continue;
    const [cx = 0, cy = 0, w = 0, h = 0] = boxes.subarray(q * 4, q * 4 + 4);
    const boxImagePx = clampBox(
      {
        x0: (cx - w / 2) * size.width,
        y0: (cy - h / 2) * size.height,
        x1: (cx + w / 2) * size.width,
        y1: (cy + h / 2) * size.height,
      },
      size.width,
      size.height,
    );
    if (boxImagePx.x1 <= boxImagePx.x0 || boxImagePx.y1 <= boxImagePx.y0) continue;
    detections.push({ boxImagePx, phrase, score: sigmoid(best) });
  }
  return detections;
}

function bestProbability(logits: Tensor): number {
  const data = logits.data as Float32Array;
  let best = -Infinity;
  for (let i = 0; i < data.length; i++) if (data[i]! > best) best = data[i]!;
  return sigmoid(best);
}

function sigmoid(x: number): number {
  return 1 / (1 + Math.exp(-x));
}

/** Inverse of the sigmoid: thresholds compare against raw logits, saving 230 400 exponentials per pass. */
function logit(p: number): number {
  if (p <= 0) return -Infinity;
  return Math.log(p / (1 - p));
}

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? '';
}
