import { IirError, throwIfCancelled } from '../../../shared/errors';
import type { RgbImage } from '../../../shared/image/types';
import { autoProviders, chooseProvider, preflight, type ProviderRole, type ProviderDecision } from '../providers';
import { clampBox, nonMaxSuppression, type Detection } from './boxes';
import { GroundingDetector, type PhraseDetections } from './grounding';
import { buildPrompts, maskBounds, nothingFoundMessage, postprocess, unionOf, type PlannedPrompt } from './instances';
import { upsampleMaskLogits } from './maskUpsample';
import { splitPhrases } from './phrases';
import {
  defaultBoxThreshold,
  defaultEmbeddingCacheBytes,
  defaultTextThreshold,
  nmsIouThreshold,
  validateRequest,
  type SegmentationModels,
  type SegmentInstance,
  type SegmentProviders,
  type SegmentRequest,
  type SegmentResult,
  type SegmentTimings,
} from './request';
import { configureTransformers, deviceForProvider, elapsedMs } from './runtime';
import { SamSegmenter } from './sam';
import { threadSessionOptions } from '../threads';

interface Thresholds {
  readonly boxThreshold: number;
  readonly textThreshold: number;
}

/** What the text found: its boxes after class-agnostic NMS, and why nothing was found when nothing was. */
interface Grounded {
  readonly detections: readonly Detection[];
  readonly message: string | null;
  readonly bestScore: number | null;
  readonly ms: number;
  readonly loadMs: number;
}

/** What SAM made of the prompts, and where its time went. */
interface Decoded {
  readonly instances: readonly SegmentInstance[];
  readonly loadMs: number;
  readonly encoderMs: number;
  readonly isEmbeddingCached: boolean;
  readonly decoderMs: number;
  readonly upsampleMs: number;
}

const noText: Grounded = { detections: [], message: null, bestScore: null, ms: 0, loadMs: 0 };
const noPrompts: Decoded = {
  instances: [],
  loadMs: 0,
  encoderMs: 0,
  isEmbeddingCached: true,
  decoderMs: 0,
  upsampleMs: 0,
};

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
    const thresholds: Thresholds = {
      boxThreshold: request.boxThreshold ?? defaultBoxThreshold,
      textThreshold: request.textThreshold ?? defaultTextThreshold,
    };
    validateRequest(request, width, height, thresholds.boxThreshold, thresholds.textThreshold);
    const phrases = request.regionText === undefined ? [] : splitPhrases(request.regionText);
    const providers = await chooseProviders(models, phrases.length > 0);
    const grounded =
      phrases.length > 0 ? await this.ground(image, models, providers, phrases, thresholds, request) : noText;
    const userBox = request.boxImagePx && clampBox(request.boxImagePx, width, height);
    const prompts = buildPrompts(grounded.detections, userBox, request.points ?? []);
    const decoded = prompts.length > 0 ? await this.decode(image, models, providers, prompts, request) : noPrompts;
    const postprocessStart = performance.now();
    const mask = postprocess(unionOf(decoded.instances, width, height), request.postprocess ?? {});
    const postprocessMs = elapsedMs(postprocessStart);
    return {
      mask,
      instances: decoded.instances,
      message: grounded.message,
      bestScore: grounded.bestScore,
      providers,
      timings: timingsOf(grounded, decoded, postprocessMs, elapsedMs(started)),
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

  /** GroundingDINO over every phrase, then one box per object. */
  private async ground(
    image: RgbImage,
    models: SegmentationModels,
    providers: SegmentProviders,
    phrases: readonly string[],
    thresholds: Thresholds,
    request: SegmentRequest,
  ): Promise<Grounded> {
    const loadStart = performance.now();
    if (!models.groundingDir) {
      throw new IirError('model_missing', 'a text region needs a GroundingDINO model: pass --grounding <id|folder>');
    }
    const decision = providers.grounding ?? providers.samEncoder;
    const threads = models.providers?.threads;
    const key = `${models.groundingDir}|${decision.provider}|${threads ?? 'all'}`;
    let pending = this.detectors.get(key);
    if (!pending) {
      const device = deviceForProvider(decision.provider);
      pending = GroundingDetector.load(models.groundingDir, device, threadSessionOptions(threads));
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
    const detections = nonMaxSuppression(
      perPhrase.flatMap((p) => p.detections),
      nmsIouThreshold,
    );
    const message =
      detections.length === 0
        ? nothingFoundMessage(request.regionText ?? '', perPhrase, thresholds.boxThreshold, thresholds.textThreshold)
        : null;
    const bestScore = Math.max(...perPhrase.map((p) => p.bestScore));
    return { detections, message, bestScore, ms: elapsedMs(start), loadMs };
  }

  /** SAM: the image embedding (cached per image), then one decoder pass and one full-resolution mask per prompt. */
  private async decode(
    image: RgbImage,
    models: SegmentationModels,
    providers: SegmentProviders,
    prompts: readonly PlannedPrompt[],
    request: SegmentRequest,
  ): Promise<Decoded> {
    throwIfCancelled(request.signal);
    const loadStart = performance.now();
    const sam = await this.samFor(models.samDir, providers, models.providers?.threads);
    const loadMs = elapsedMs(loadStart);
    const embedded = await sam.embed(image, this.imageKey(image, request.imageKey));
    const instances: SegmentInstance[] = [];
    let decoderMs = 0;
    let upsampleMs = 0;
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
    const encoderMs = embedded.isCached ? 0 : embedded.ms;
    return { instances, loadMs, encoderMs, isEmbeddingCached: embedded.isCached, decoderMs, upsampleMs };
  }

  private samFor(samDir: string, providers: SegmentProviders, threads: number | undefined): Promise<SamSegmenter> {
    const devices = {
      encoder: deviceForProvider(providers.samEncoder.provider),
      decoder: deviceForProvider(providers.samDecoder.provider),
    };
    const key = `${samDir}|${devices.encoder}|${devices.decoder}|${threads ?? 'all'}`;
    let pending = this.segmenters.get(key);
    if (!pending) {
      pending = SamSegmenter.load(samDir, devices, this.embeddingCacheBytes, threadSessionOptions(threads));
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

/** The provider of each role the request needs (GroundingDINO only for text). */
async function chooseProviders(models: SegmentationModels, hasText: boolean): Promise<SegmentProviders> {
  const report = await preflight();
  const settings = models.providers ?? autoProviders;
  const decide = (role: ProviderRole): ProviderDecision => chooseProvider(report, settings, role);
  return {
    samEncoder: decide('sam_encoder'),
    samDecoder: decide('sam_decoder'),
    ...(hasText ? { grounding: decide('grounding') } : {}),
  };
}

function timingsOf(grounded: Grounded, decoded: Decoded, postprocessMs: number, totalMs: number): SegmentTimings {
  const loadMs = grounded.loadMs + decoded.loadMs;
  const { encoderMs, decoderMs } = decoded;
  return {
    loadMs,
    groundingMs: grounded.ms,
    encoderMs,
    isEmbeddingCached: decoded.isEmbeddingCached,
    decoderMs,
    upsampleMs: decoded.upsampleMs,
    postprocessMs,
    totalMs,
    overheadMs: Math.max(0, Math.round((totalMs - loadMs - grounded.ms - encoderMs - decoderMs) * 10) / 10),
  };
}
