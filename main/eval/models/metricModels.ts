/**
 * The metric models (LPIPS, CLIP, DINO) loaded once and run on CPU: they are small next to the edit's models, and
 * CPU gives the same numbers on every machine. Each session is created on first use. Run it in the engine process
 * or the CLI, never in main's event loop (`InferenceSession.run` blocks it).
 */
import { join } from 'node:path';
import ort from 'onnxruntime-node';
import type { PreTrainedTokenizer } from '@huggingface/transformers';
import { IirError } from '../../../shared/errors';
import type { RgbImage } from '../../../shared/image/types';
import { runModel, type RunnableModel } from '../../engine/modelRun';
import { oneLine } from '../../engine/providers';
import { readFloat } from '../../engine/tensors';
import { loadTokenizer } from '../../engine/text';
import { clipScore, selfSimilarityMse } from './formulas';
import type { MetricModelDir, MetricRole } from './locate';
import { clipPixels, dinoPixels, keepOnly, modelSide, planarUnit, resize } from './pixels';

const lpipsStages = 5;

/** Which DINO features the structure distance used (see formulas.ts). */
export type StructureFeatures = 'keys' | 'tokens';

export class MetricModels {
  private readonly sessions = new Map<string, Promise<RunnableModel>>();
  private tokenizer: Promise<PreTrainedTokenizer> | undefined;

  constructor(readonly dirs: Readonly<Partial<Record<MetricRole, MetricModelDir>>>) {}

  has(role: MetricRole): boolean {
    return this.dirs[role] !== undefined;
  }

  private dir(role: MetricRole): string {
    const found = this.dirs[role];
    if (!found) throw new IirError('model_missing', `no ${role} model installed`);
    return found.dir;
  }

  private session(role: MetricRole, file: string): Promise<RunnableModel> {
    const path = join(this.dir(role), file);
    let pending = this.sessions.get(path);
    if (!pending) {
      const options = { executionProviders: ['cpu'], graphOptimizationLevel: 'all', logSeverityLevel: 3 } as const;
      pending = ort.InferenceSession.create(path, options).then(
        (session) => ({ session, path }),
        (error: unknown) => {
          this.sessions.delete(path);
          throw new IirError('model_missing', `cannot load the ${role} model ${path}: ${oneLine(error)}`);
        },
      );
      this.sessions.set(path, pending);
    }
    return pending;
  }

  /** The size LPIPS runs at: the graph's fixed input size, else the image's, scaled down to `maxSide` if given. */
  private lpipsSize(model: RunnableModel, image: RgbImage, maxSide?: number): { width: number; height: number } {
    const meta = model.session.inputMetadata.find((m) => m.name === 'input');
    const [, , h, w] = meta?.isTensor ? meta.shape : [];
    if (typeof h === 'number' && typeof w === 'number') return { width: w, height: h };
    const scale = maxSide ? Math.min(1, maxSide / Math.max(image.width, image.height)) : 1;
    return { width: Math.round(image.width * scale), height: Math.round(image.height * scale) };
  }

  /**
   * LPIPS of the two images after both are multiplied by `keep` (1 = measured, 0 = black): at their own size (or
   * scaled to fit `maxSide`, or to the size an export fixes), in [0, 1] — the graph scales to [−1, 1] itself.
   */
  async lpips(original: RgbImage, edited: RgbImage, keep?: Uint8Array, maxSide?: number): Promise<number> {
    const features = await this.session('lpips', 'lpips_feature.onnx');
    const diff = await this.session('lpips', 'lpips_diff.onnx');
    const { width, height } = this.lpipsSize(features, original, maxSide);
    const names = Array.from({ length: lpipsStages }, (_, i) => `feat_${i}`);
    const run = async (image: RgbImage) => {
      const masked = keep ? keepOnly(image, keep) : image;
      const sized = await resize(masked, width, height, 'linear');
      const input = new ort.Tensor('float32', planarUnit(sized), [1, 3, height, width]);
      return runModel(features, 'LPIPS features', { input }, names);
    };
    const fx = await run(original);
    const fy = await run(edited);
    const feeds: Record<string, ort.Tensor> = {};
    names.forEach((name, i) => {
      feeds[`feat_x_${i}`] = fx[name]!;
      feeds[`feat_y_${i}`] = fy[name]!;
    });
    const out = await runModel(diff, 'LPIPS distance', feeds, ['output']);
    return readFloat(out.output, 'output')[0]!;
  }

  /** CLIP's text embedding of `prompt` (tokens truncated to 77). */
  async textEmbeds(prompt: string): Promise<Float32Array> {
    const model = await this.session('clip', 'onnx/text_model.onnx');
    this.tokenizer ??= loadTokenizer(this.dir('clip'));
    const tokenizer = await this.tokenizer;
    const encoded = tokenizer(prompt, { truncation: true, max_length: 77, return_tensor: false }) as {
      input_ids: number[];
    };
    const ids = encoded.input_ids;
    const spec = model.session.inputMetadata.find((m) => m.name === 'input_ids');
    const type = spec?.isTensor && spec.type === 'int32' ? 'int32' : 'int64';
    const dims = [1, ids.length];
    const feeds: Record<string, ort.Tensor> = {
      input_ids:
        type === 'int32'
          ? new ort.Tensor('int32', Int32Array.from(ids), dims)
          : new ort.Tensor(
              'int64',
              BigInt64Array.from(ids, (v) => BigInt(v)),
              dims,
            ),
    };
    if (model.session.inputNames.includes('attention_mask')) {
      feeds.attention_mask = new ort.Tensor('int64', new BigInt64Array(ids.length).fill(1n), dims);
    }
    const out = await runModel(model, 'CLIP text model', feeds, ['text_embeds']);
    return Float32Array.from(readFloat(out.text_embeds, 'text_embeds'));
  }

  /** CLIP score (0–100) of `image` with a text embedding from {@link textEmbeds}. */
  async clipScore(image: RgbImage, textEmbeds: Float32Array): Promise<number> {
    const model = await this.session('clip', 'onnx/vision_model.onnx');
    const pixels = new ort.Tensor('float32', await clipPixels(image), [1, 3, modelSide, modelSide]);
    const out = await runModel(model, 'CLIP vision model', { pixel_values: pixels }, ['image_embeds']);
    return clipScore(readFloat(out.image_embeds, 'image_embeds'), textEmbeds);
  }

  /** PIE-Bench's structure distance of the two whole images, and the features it used. */
  async structureDistance(
    original: RgbImage,
    edited: RgbImage,
  ): Promise<{ distance: number; features: StructureFeatures }> {
    const model = await this.session('dino', 'onnx/model.onnx');
    const output = model.session.outputNames.includes('keys') ? 'keys' : 'last_hidden_state';
    const run = async (image: RgbImage): Promise<{ data: Float32Array; dims: readonly number[] }> => {
      const pixels = new ort.Tensor('float32', await dinoPixels(image), [1, 3, modelSide, modelSide]);
      const out = await runModel(model, 'DINO ViT', { pixel_values: pixels }, [output]);
      const tensor = out[output]!;
      return { data: Float32Array.from(readFloat(tensor, output)), dims: tensor.dims };
    };
    const a = await run(original);
    const b = await run(edited);
    if (a.dims.length !== 3) {
      throw new IirError('model_missing', `DINO output "${output}" has shape [${a.dims.join(',')}]; [1,T,D] expected`);
    }
    const [, tokens, dim] = a.dims as [number, number, number];
    return {
      distance: selfSimilarityMse(a.data, b.data, tokens, dim),
      features: output === 'keys' ? 'keys' : 'tokens',
    };
  }

  /** Releases every session. */
  async release(): Promise<void> {
    const pending = [...this.sessions.values()];
    this.sessions.clear();
    for (const p of pending) await (await p.catch(() => null))?.session.release();
  }
}
