import { IirError, invalidArgument, throwIfCancelled, type CancelSignal } from '../../../shared/errors';
import { dilateMask, dropIslands, fillHoles, maskBoundingBox, unionMasks } from '../../../shared/image/mask';
import { createMask, type Mask, type Rect, type RgbImage } from '../../../shared/image/types';
import {
  autoProviders,
  chooseProvider,
  preflight,
  type ProviderRole,
  type ProviderDecision,
  type ProviderSettings,
} from '../providers';
import { clampBox, nonMaxSuppression, validateBox, type Detection } from './boxes';
import { GroundingDetector, type PhraseDetections } from './grounding';
import { upsampleMaskLogits } from './maskUpsample';
import { splitPhrases } from './phrases';
import { validatePoint, type PromptPoint } from './points';
import { configureTransformers, deviceForProvider, elapsedMs } from './runtime';
import { SamSegmenter, type SamPrompt } from './sam';

/** GroundingDINO's defaults. */
export const defaultBoxThreshold = 0.35;
export const defaultTextThreshold = 0.25;
/** Boxes of different phrases overlapping more than this are one object (class-agnostic NMS). */
export const nmsIouThreshold = 0.8;
/** Default memory budget of cached SAM image embeddings (SAM ViT-B/SlimSAM: 8 MB per image). */
export const defaultEmbeddingCacheBytes = 256 * 1024 * 1024;

/** Which model folders to use (absolute paths in the transformers.js layout) and on which providers. */
export interface SegmentationModels {
  readonly samDir: string;
  /** Needed only for a text region. */
  readonly groundingDir?: string;
  readonly providers?: ProviderSettings;
}

/** Clean-up applied to the union mask, in this order: fill holes, drop small islands, dilate. */
export interface MaskPostprocess {
  readonly fillHoles?: boolean;
  /** Remove connected regions smaller than this many pixels. */
  readonly minIslandPx?: number;
  /** Grow the mask by this many pixels. */
  readonly dilatePx?: number;
}

/** What to select: text, a box, points, or several of them (all in original-image pixels). */
export interface SegmentRequest {
  readonly regionText?: string;
  readonly boxImagePx?: Rect;
  readonly points?: readonly PromptPoint[];
  readonly boxThreshold?: number;
  readonly textThreshold?: number;
  readonly postprocess?: MaskPostprocess;
  /**
   * Identifies the image for the embedding cache (e.g. a document id + revision). Without it the cache keys on the
   * `RgbImage` object itself, so pass the same object for every click.
   */
  readonly imageKey?: string;
  readonly signal?: CancelSignal;
}

/** One selected object: its prompt box, what found it, and its own full-resolution mask. */
export interface SegmentInstance {
  readonly boxImagePx: Rect;
  /** The phrase that found it, or null for a box/point prompt. */
  readonly phrase: string | null;
  /** GroundingDINO's score, or null for a box/point prompt. */
  readonly score: number | null;
  /** SAM's predicted IoU of the chosen mask. */
  readonly predictedIou: number;
  readonly areaPx: number;
  readonly mask: Mask;
}

/** Where the time went, in milliseconds. */
export interface SegmentTimings {
  /** Loading models (first use of a folder on a provider only). */
  readonly loadMs: number;
  /** GroundingDINO: image pre-processing and one pass per phrase. */
  readonly groundingMs: number;
  /** Image embedding (0-ish when cached). */
  readonly encoderMs: number;
  readonly isEmbeddingCached: boolean;
  /** Inside the SAM decoder session, summed over prompts. */
  readonly decoderMs: number;
  /** Logits → full-resolution masks, summed over prompts. */
  readonly upsampleMs: number;
  readonly postprocessMs: number;
  readonly totalMs: number;
  /** Everything else: total minus loading, grounding, encoder and decoder (time outside ONNX Runtime for a click). */
  readonly overheadMs: number;
}

/** Providers used per role, with the reasons others were passed over. */
export interface SegmentProviders {
  readonly grounding?: ProviderDecision;
  readonly samEncoder: ProviderDecision;
  readonly samDecoder: ProviderDecision;
}

export interface SegmentResult {
  /** Union of the instances, post-processed; all zero when nothing was found. */
  readonly mask: Mask;
  readonly instances: readonly SegmentInstance[];
  /** Set when the text found nothing, e.g. `no region found for "cat" (best score 0.12 < 0.35)`. */
  readonly message: string | null;
  /** The best GroundingDINO box score over every phrase (found or not); null when no text was given. */
  readonly bestScore: number | null;
  readonly timings: SegmentTimings;
  readonly providers: SegmentProviders;
}

/**
 * Grounded-SAM with click and box refinement. Holds loaded models and the SAM embedding cache, so repeated requests
 * on one image (clicks, new boxes) only run the prompt decoder. One instance per engine process.
 */
export class SegmentationEngine {
  private readonly detectors = new Map<string, Promise<GroundingDetector>>();
  private readonly segmenters = new Map<string, Promise<SamSegmenter>>();
  private readonly imageIds = new WeakMap<RgbImage, string>();
  private nextImageId = 0;

  constructor(private readonly embeddingCacheBytes = defaultEmbeddingCacheBytes) {
    configureTransformers();
  }

  /** Runs a request on decoded pixels (EXIF orientation applied). Bad arguments throw one-line `IirError`s. */
  async segment(image: RgbImage, models: SegmentationModels, request: SegmentRequest): Promise<SegmentResult> {
    const started = performance.now();
    const { width, height } = image;
    const boxThreshold = request.boxThreshold ?? defaultBoxThreshold;
    const textThreshold = request.textThreshold ?? defaultTextThreshold;
    const points = request.points ?? [];
    validateRequest(request, width, height, boxThreshold, textThreshold);
    const phrases = request.regionText === undefined ? [] : splitPhrases(request.regionText);

    const report = await preflight();
    const settings = models.providers ?? autoProviders;
    const decide = (role: ProviderRole): ProviderDecision => chooseProvider(report, settings, role);
    const providers: SegmentProviders = {
      samEncoder: decide('sam_encoder'),
      samDecoder: decide('sam_decoder'),
      ...(phrases.length > 0 ? { grounding: decide('grounding') } : {}),
    };

    let loadMs = 0;
    let groundingMs = 0;
    let detections: Detection[] = [];
    let message: string | null = null;
    let bestScore: number | null = null;
    if (phrases.length > 0) {
      const found = await this.ground(image, models, providers, phrases, { boxThreshold, textThreshold }, request);
      groundingMs = found.ms;
      loadMs += found.loadMs;
      bestScore = Math.max(...found.perPhrase.map((p) => p.bestScore));
      detections = nonMaxSuppression(
        found.perPhrase.flatMap((p) => p.detections),
        nmsIouThreshold,
      );
      if (detections.length === 0) {
        message = nothingFoundMessage(request.regionText ?? '', found.perPhrase, boxThreshold, textThreshold);
      }
    }

    const userBox = request.boxImagePx && clampBox(request.boxImagePx, width, height);
    const prompts = buildPrompts(detections, userBox, points);
    const instances: SegmentInstance[] = [];
    let encoderMs = 0;
    let isEmbeddingCached = true;
    let decoderMs = 0;
    let upsampleMs = 0;
    if (prompts.length > 0) {
      throwIfCancelled(request.signal);
      const loadStart = performance.now();
      const sam = await this.samFor(models.samDir, providers);
      loadMs += elapsedMs(loadStart);
      const embedded = await sam.embed(image, this.imageKey(image, request.imageKey));
      encoderMs = embedded.isCached ? 0 : embedded.ms;
      isEmbeddingCached = embedded.isCached;
      for (const prompt of prompts) {
        throwIfCancelled(request.signal);
        const decoded = await sam.decode(embedded.embedding, prompt.sam);
        decoderMs += decoded.decoderMs;
        const upsampleStart = performance.now();
        const { mask, areaPx } = upsampleMaskLogits(decoded.logits, decoded.geometry);
        upsampleMs += elapsedMs(upsampleStart);
        instances.push({
          boxImagePx: prompt.boxImagePx ?? maskBounds(mask),
          phrase: prompt.phrase,
          score: prompt.score,
          predictedIou: decoded.predictedIou,
          areaPx,
          mask,
        });
      }
    }

    const postprocessStart = performance.now();
    const mask = postprocess(unionOf(instances, width, height), request.postprocess ?? {});
    const postprocessMs = elapsedMs(postprocessStart);
    const totalMs = elapsedMs(started);
    return {
      mask,
      instances,
      message,
      bestScore,
      providers,
      timings: {
        loadMs,
        groundingMs,
        encoderMs,
        isEmbeddingCached,
        decoderMs,
        upsampleMs,
        postprocessMs,
        totalMs,
        overheadMs: Math.max(0, Math.round((totalMs - loadMs - groundingMs - encoderMs - decoderMs) * 10) / 10),
      },
    };
  }

  /** Encoder runs so far for the SAM folder (for tests and diagnostics); 0 when it was never loaded. */
  async encoderRuns(samDir: string): Promise<number> {
    let runs = 0;
    for (const [key, segmenter] of this.segmenters)
      if (key.startsWith(`${samDir}|`)) runs += (await segmenter).encoderRuns;
    return runs;
  }

  /** Releases every loaded model and cached embedding. */
  async dispose(): Promise<void> {
    const all = [...this.detectors.values(), ...this.segmenters.values()];
    this.detectors.clear();
    this.segmenters.clear();
    for (const model of all) await (await model.catch(() => undefined))?.dispose();
  }

  private async ground(
    image: RgbImage,
    models: SegmentationModels,
    providers: SegmentProviders,
    phrases: readonly string[],
    thresholds: { boxThreshold: number; textThreshold: number },
    request: SegmentRequest,
  ): Promise<{ perPhrase: PhraseDetections[]; ms: number; loadMs: number }> {
    const loadStart = performance.now();
    if (!models.groundingDir) {
      throw new IirError('model_missing', 'a text region needs a GroundingDINO model: pass --grounding <id|folder>');
    }
    const decision = providers.grounding ?? providers.samEncoder;
    const key = `${models.groundingDir}|${decision.provider}`;
    let pending = this.detectors.get(key);
    if (!pending) {
      pending = GroundingDetector.load(models.groundingDir, deviceForProvider(decision.provider));
      this.detectors.set(key, pending);
      pending.catch(() => this.detectors.delete(key));
    }
    const detector = await pending;
    const loadMs = elapsedMs(loadStart);
    const start = performance.now();
    const imageInputs = await detector.prepareImage(image);
    const perPhrase: PhraseDetections[] = [];
    for (const phrase of phrases) {
      throwIfCancelled(request.signal);
      perPhrase.push(await detector.detect(imageInputs, phrase, image, thresholds));
    }
    return { perPhrase, ms: elapsedMs(start), loadMs };
  }

  private samFor(samDir: string, providers: SegmentProviders): Promise<SamSegmenter> {
    const devices = {
      encoder: deviceForProvider(providers.samEncoder.provider),
      decoder: deviceForProvider(providers.samDecoder.provider),
    };
    const key = `${samDir}|${devices.encoder}|${devices.decoder}`;
    let pending = this.segmenters.get(key);
    if (!pending) {
      pending = SamSegmenter.load(samDir, devices, this.embeddingCacheBytes);
      this.segmenters.set(key, pending);
      pending.catch(() => this.segmenters.delete(key));
    }
    return pending;
  }

  private imageKey(image: RgbImage, given: string | undefined): string {
    if (given !== undefined) return `key:${given}`;
    let id = this.imageIds.get(image);
    if (id === undefined) {
      id = `object:${this.nextImageId++}`;
      this.imageIds.set(image, id);
    }
    return id;
  }
}

interface PlannedPrompt {
  readonly sam: SamPrompt;
  readonly boxImagePx: Rect | undefined;
  readonly phrase: string | null;
  readonly score: number | null;
}

/** One SAM prompt per detected box and one for the user's box; the user's points go with each. */
function buildPrompts(
  detections: readonly Detection[],
  boxImagePx: Rect | undefined,
  points: readonly PromptPoint[],
): PlannedPrompt[] {
  const prompts: PlannedPrompt[] = detections.map((d) => ({
    sam: { points, boxImagePx: d.boxImagePx },
    boxImagePx: d.boxImagePx,
    phrase: d.phrase,
    score: d.score,
  }));
  if (boxImagePx) prompts.push({ sam: { points, boxImagePx }, boxImagePx, phrase: null, score: null });
  if (detections.length === 0 && !boxImagePx && points.some((p) => p.isPositive)) {
    prompts.push({ sam: { points }, boxImagePx: undefined, phrase: null, score: null });
  }
  return prompts;
}

function validateRequest(
  request: SegmentRequest,
  width: number,
  height: number,
  boxThreshold: number,
  textThreshold: number,
): void {
  const points = request.points ?? [];
  if (request.regionText === undefined && !request.boxImagePx && points.length === 0) {
    throw invalidArgument('nothing to segment: give a region text, a box or points');
  }
  if (request.regionText === undefined && !request.boxImagePx && !points.some((p) => p.isPositive)) {
    throw invalidArgument('only exclude points were given: add an include point (x,y,1), a box or a region text');
  }
  for (const [name, value] of [
    ['box threshold', boxThreshold],
    ['text threshold', textThreshold],
  ] as const) {
    if (!Number.isFinite(value) || value < 0 || value >= 1) {
      throw invalidArgument(`${name} must be a number from 0 to below 1, not ${value}`);
    }
  }
  if (request.boxImagePx) validateBox(request.boxImagePx, width, height);
  for (const point of points) validatePoint(point, width, height);
  const post = request.postprocess ?? {};
  for (const [name, value] of [
    ['dilate', post.dilatePx],
    ['minimum island size', post.minIslandPx],
  ] as const) {
    if (value !== undefined && !(Number.isInteger(value) && value >= 0)) {
      throw invalidArgument(`${name} must be a whole number of pixels ≥ 0, not ${value}`);
    }
  }
}

/**
 * The mask of a chosen subset of a result's instances (the UI's pick / merge / exclude), post-processed like a
 * request's union. Indices refer to `result.instances`; an empty choice gives an empty mask.
 */
export function combineInstances(
  result: Pick<SegmentResult, 'instances' | 'mask'>,
  indices: readonly number[],
  options: MaskPostprocess = {},
): Mask {
  const chosen = indices.map((i) => {
    const instance = result.instances[i];
    if (!instance) throw invalidArgument(`no instance ${i}: the result has ${result.instances.length}`);
    return instance;
  });
  return postprocess(unionOf(chosen, result.mask.width, result.mask.height), options);
}

function unionOf(instances: readonly SegmentInstance[], width: number, height: number): Mask {
  const [first, ...rest] = instances;
  if (!first) return createMask(width, height);
  // One instance (a click) is its own union: no 12 MP copy on the interactive path.
  let union = first.mask;
  for (const instance of rest) union = unionMasks(union, instance.mask);
  return union;
}

function postprocess(mask: Mask, options: MaskPostprocess): Mask {
  let out = mask;
  if (options.fillHoles) out = fillHoles(out);
  if (options.minIslandPx !== undefined && options.minIslandPx > 0) out = dropIslands(out, options.minIslandPx);
  if (options.dilatePx !== undefined && options.dilatePx > 0) out = dilateMask(out, options.dilatePx);
  return out;
}

function maskBounds(mask: Mask): Rect {
  return maskBoundingBox(mask) ?? { x0: 0, y0: 0, x1: 0, y1: 0 };
}

function nothingFoundMessage(
  regionText: string,
  perPhrase: readonly PhraseDetections[],
  boxThreshold: number,
  textThreshold: number,
): string {
  const best = Math.max(...perPhrase.map((p) => p.bestScore));
  const what = `no region found for "${regionText.trim()}"`;
  if (best <= boxThreshold) return `${what} (best score ${best.toFixed(2)} < ${boxThreshold})`;
  return `${what} (best score ${best.toFixed(2)}, but no word of the phrase scored above the text threshold ${textThreshold})`;
}
