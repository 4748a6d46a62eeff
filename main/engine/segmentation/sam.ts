import { SamModel, SamProcessor, Tensor } from '@huggingface/transformers';

import type ort from 'onnxruntime-node';
import { IirError } from '../../../shared/errors';
import type { Rect, RgbImage } from '../../../shared/image/types';
import { ByteLruCache } from './lruCache';
import type { LowResMaskGeometry } from './maskUpsample';
import type { PromptPoint } from './points';
import { configureTransformers, detectDtype, elapsedMs, resizeForProcessor, type SegmentationDevice } from './runtime';

/** The image embedding of one image under one SAM model, with the sizes needed to map prompts and masks. */
export interface SamEmbedding {
  readonly imageEmbeddings: Tensor;
  readonly positionalEmbeddings: Tensor;
  readonly width: number;
  readonly height: number;
  readonly reshapedWidth: number;
  readonly reshapedHeight: number;
}

/** Where each SAM session runs (the roles `sam_encoder` and `sam_decoder` can be pinned separately). */
export interface SamDevices {
  readonly encoder: SegmentationDevice;
  readonly decoder: SegmentationDevice;
}

/** One SAM prompt in original-image pixels: points, a box, or both. */
export interface SamPrompt {
  readonly points: readonly PromptPoint[];
  readonly boxImagePx?: Rect;
}

/** The decoder's best mask for a prompt, still as low-resolution logits. */
export interface SamDecoded {
  readonly logits: Float32Array;
  readonly geometry: LowResMaskGeometry;
  readonly predictedIou: number;
  /** Time inside the decoder session. */
  readonly decoderMs: number;
}

// SAM's point labels: 1 include, 0 exclude, 2/3 box corners (segment-anything's convention), -10 a point the prompt
// encoder ignores (transformers' SamPromptEncoder).
const labelInclude = 1n;
const labelExclude = 0n;
const labelBoxTopLeft = 2n;
const labelBoxBottomRight = 3n;
const labelIgnored = -10n;

interface DecoderSession {
  readonly inputNames: string[];
  readonly inputMetadata?: readonly { name: string; shape?: readonly (number | string)[] }[];
}

interface ImageProcessorResult {
  pixel_values: Tensor;
  original_sizes: [number, number][];
  reshaped_input_sizes: [number, number][];
}

/**
 * SAM through transformers.js. The image embedding is computed once per image and kept in a byte-bounded LRU, so a
 * click or a new box only re-runs the prompt decoder.
 */
export class SamSegmenter {
  /** Vision-encoder runs so far (cache misses). */
  encoderRuns = 0;
  /** Prompt-decoder runs so far. */
  decoderRuns = 0;
  /** Whether the decoder export takes `input_boxes`; otherwise boxes go in as two corner points (labels 2 and 3). */
  readonly acceptsBoxes: boolean;
  /** Points per prompt when the export fixes that dimension (some traced exports take exactly one), else null. */
  readonly fixedPointCount: number | null;

  private readonly embeddings: ByteLruCache<Promise<SamEmbedding>>;
  private readonly padSize: { width: number; height: number };

  private constructor(
    readonly modelDir: string,
    readonly devices: SamDevices,
    private readonly model: SamModel,
    private readonly processor: SamProcessor,
    cacheBytes: number,
  ) {
    const decoder = model.sessions.prompt_encoder_mask_decoder as DecoderSession | undefined;
    if (!decoder) throw new IirError('model_missing', `${modelDir} has no prompt_encoder_mask_decoder`);
    this.acceptsBoxes = decoder.inputNames.includes('input_boxes');
    const points = decoder.inputMetadata?.find((m) => m.name === 'input_points');
    const pointDim = points && 'shape' in points ? points.shape?.[2] : undefined;
    this.fixedPointCount = typeof pointDim === 'number' && pointDim > 0 ? pointDim : null;
    const pad = (processor.image_processor as unknown as { pad_size?: { width?: number; height?: number } }).pad_size;
    this.padSize = { width: pad?.width ?? 1024, height: pad?.height ?? 1024 };
    // Promises are stored so concurrent requests for one image share a single encoder run; sizes are estimated
    // up front from the fixed embedding shape, refined when the run completes.
    this.embeddings = new ByteLruCache<Promise<SamEmbedding>>(cacheBytes, () => embeddingBytesEstimate);
  }

  /**
   * Loads a SAM folder (transformers.js layout) on `devices`, keeping at most `cacheBytes` of image embeddings;
   * `sessionOptions` are added to both sessions' (the thread budget, threads.ts).
   */
  static async load(
    modelDir: string,
    devices: SamDevices,
    cacheBytes: number,
    sessionOptions: ort.InferenceSession.SessionOptions = {},
  ): Promise<SamSegmenter> {
    configureTransformers();
    const dtype = {
      vision_encoder: detectDtype(modelDir, 'vision_encoder'),
      prompt_encoder_mask_decoder: detectDtype(modelDir, 'prompt_encoder_mask_decoder'),
    };
    try {
      const [model, processor] = await Promise.all([
        SamModel.from_pretrained(modelDir, {
          device: { vision_encoder: devices.encoder, prompt_encoder_mask_decoder: devices.decoder },
          dtype,
          local_files_only: true,
          session_options: sessionOptions,
        }),
        SamProcessor.from_pretrained(modelDir, { local_files_only: true }),
      ]);
      return new SamSegmenter(modelDir, devices, model as SamModel, processor as SamProcessor, cacheBytes);
    } catch (error) {
      if (error instanceof IirError) throw error;
      throw new IirError('model_missing', `cannot load SAM from ${modelDir}: ${firstLine(error)}`, { cause: error });
    }
  }

  /** The embedding of `image`, from the cache when `imageKey` was seen before. */
  async embed(image: RgbImage, imageKey: string): Promise<{ embedding: SamEmbedding; isCached: boolean; ms: number }> {
    const start = performance.now();
    const cached = this.embeddings.get(imageKey);
    if (cached) return { embedding: await cached, isCached: true, ms: elapsedMs(start) };
    const pending = this.computeEmbedding(image);
    this.embeddings.set(imageKey, pending);
    try {
      return { embedding: await pending, isCached: false, ms: elapsedMs(start) };
    } catch (error) {
      this.embeddings.delete(imageKey);
      throw error;
    }
  }

  /** Runs the prompt decoder on a cached embedding and returns the mask with the best predicted IoU. */
  async decode(embedding: SamEmbedding, prompt: SamPrompt): Promise<SamDecoded> {
    const inputs = this.promptTensors(embedding, prompt);
    const start = performance.now();
    const outputs = (await this.model({
      image_embeddings: embedding.imageEmbeddings,
      image_positional_embeddings: embedding.positionalEmbeddings,
      ...inputs,
    })) as { iou_scores: Tensor; pred_masks: Tensor };
    const decoderMs = elapsedMs(start);
    this.decoderRuns++;
    const iou = outputs.iou_scores.data as Float32Array;
    let best = 0;
    for (let i = 1; i < iou.length; i++) if (iou[i]! > iou[best]!) best = i;
    const dims = outputs.pred_masks.dims;
    const lowHeight = dims.at(-2) ?? 0;
    const lowWidth = dims.at(-1) ?? 0;
    const plane = lowWidth * lowHeight;
    const masks = outputs.pred_masks.data as Float32Array;
    return {
      logits: masks.subarray(best * plane, (best + 1) * plane),
      geometry: {
        lowWidth,
        lowHeight,
        padWidth: this.padSize.width,
        padHeight: this.padSize.height,
        reshapedWidth: embedding.reshapedWidth,
        reshapedHeight: embedding.reshapedHeight,
        width: embedding.width,
        height: embedding.height,
      },
      predictedIou: iou[best] ?? 0,
      decoderMs,
    };
  }

  /** Bytes held by cached embeddings, and their count. */
  cacheStats(): { bytes: number; entries: number } {
    return { bytes: this.embeddings.bytes, entries: this.embeddings.size };
  }

  async dispose(): Promise<void> {
    this.embeddings.clear();
    await this.model.dispose();
  }

  private async computeEmbedding(image: RgbImage): Promise<SamEmbedding> {
    const imageProcessor = this.processor.image_processor;
    if (!imageProcessor) throw new IirError('model_missing', `${this.modelDir} has no image processor`);
    const processed = (await this.processor(await resizeForProcessor(image, imageProcessor))) as ImageProcessorResult;
    const [reshapedHeight = 0, reshapedWidth = 0] = processed.reshaped_input_sizes[0] ?? [];
    const out = await this.model.get_image_embeddings({ pixel_values: processed.pixel_values });
    this.encoderRuns++;
    return {
      imageEmbeddings: out.image_embeddings,
      positionalEmbeddings: out.image_positional_embeddings,
      width: image.width,
      height: image.height,
      reshapedWidth,
      reshapedHeight,
    };
  }

  /** Prompt tensors in the model's resized-image pixels (SAM scales each axis by reshaped / original). */
  private promptTensors(embedding: SamEmbedding, prompt: SamPrompt): Record<string, Tensor> {
    const sx = embedding.reshapedWidth / embedding.width;
    const sy = embedding.reshapedHeight / embedding.height;
    const coords: number[] = [];
    const labels: bigint[] = [];
    for (const p of prompt.points) {
      coords.push(p.xImagePx * sx, p.yImagePx * sy);
      labels.push(p.isPositive ? labelInclude : labelExclude);
    }
    const tensors: Record<string, Tensor> = {};
    const box = prompt.boxImagePx;
    if (this.acceptsBoxes) {
      // An export that declares input_boxes needs it on every run: no box is an empty [1,0,4] batch.
      const boxData = box ? [box.x0 * sx, box.y0 * sy, box.x1 * sx, box.y1 * sy] : [];
      tensors.input_boxes = new Tensor('float32', Float32Array.from(boxData), [1, box ? 1 : 0, 4]);
      if (labels.length === 0) {
        // The library always feeds input_points; a box-only prompt gets one point the encoder ignores.
        coords.push(0, 0);
        labels.push(labelIgnored);
      }
    } else if (box) {
      coords.push(box.x0 * sx, box.y0 * sy, box.x1 * sx, box.y1 * sy);
      labels.push(labelBoxTopLeft, labelBoxBottomRight);
    }
    const fixed = this.fixedPointCount;
    if (fixed !== null && labels.length > fixed) {
      const boxNote = box && !this.acceptsBoxes ? ' (a box counts as 2: this export has no box input)' : '';
      throw new IirError(
        'invalid_argument',
        `this SAM export (${this.modelDir}) takes ${fixed} point(s) per prompt, not ${labels.length}${boxNote}; ` +
          'use fewer points or another SAM model',
      );
    }
    while (fixed !== null && labels.length < fixed) {
      coords.push(0, 0);
      labels.push(labelIgnored);
    }
    tensors.input_points = new Tensor('float32', Float32Array.from(coords), [1, 1, labels.length, 2]);
    tensors.input_labels = new Tensor('int64', BigInt64Array.from(labels), [1, 1, labels.length]);
    return tensors;
  }
}

// SAM's embedding and positional embedding are each [1,256,64,64] float32.
const embeddingBytesEstimate = 2 * 256 * 64 * 64 * 4;

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? '';
}
