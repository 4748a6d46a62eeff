import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { SegmentationEngine } from '../../../main/engine/segmentation';
import { decodeImage } from '../../../main/image/decode';
import { ensureFixtures } from '../../fixtures/models/all';
import { SEGMENTATION_FIXTURE_FOLDERS } from '../../fixtures/models/segmentation';
import { median, type BenchSuite } from '../suite';

const imagesDir = join(import.meta.dirname, '..', '..', 'fixtures', 'images');
const benchDir = join(import.meta.dirname, '..', '..', '..', '.cache', 'bench');
// 4240×2832 = 12.0 MP, the coffee photo's 3:2 aspect (the same input as the preprocess suite).
const width = 4240;
const height = 2832;

async function ensurePhoto(): Promise<string> {
  mkdirSync(benchDir, { recursive: true });
  const path = join(benchDir, `coffee-${width}x${height}.jpg`);
  if (!existsSync(path)) {
    await sharp(join(imagesDir, 'coffee.png'))
      .resize(width, height, { fit: 'fill', kernel: 'lanczos3' })
      .jpeg({ quality: 90 })
      .toFile(path);
  }
  return path;
}

const round = (ms: number): number => Math.round(ms * 10) / 10;

/**
 * SAM on a 12 MP photo with the fixture models (CPU): image embedding (resize + normalise + encoder session),
 * decoder session per click, and a click's time outside ONNX Runtime (prompt tensors, best mask, up-sampling to
 * 12 MP, union). The fixture sessions are tiny, so encoder/decoder figures measure the pipeline, not real SAM.
 */
export const segmentSuite: BenchSuite = {
  name: 'segment',
  summary: 'SAM on a 12 MP photo: embedding, decoder, and click-to-mask time outside ONNX Runtime (median ms)',
  async run(context) {
    const root = ensureFixtures();
    const models = { samDir: join(root, SEGMENTATION_FIXTURE_FOLDERS.sam), providers: { default: 'cpu' as const } };
    const { rgb } = await decodeImage(await ensurePhoto());
    const engine = new SegmentationEngine();
    try {
      // Load the models (not measured).
      await engine.segment(rgb, models, { boxImagePx: { x0: 10, y0: 10, x1: 20, y1: 20 }, imageKey: 'warm-up' });
      const encoder: number[] = [];
      for (let i = 0; i < 5; i++) {
        const r = await engine.segment(rgb, models, {
          points: [{ xImagePx: 2000, yImagePx: 1400, isPositive: true }],
          imageKey: `encoder-${i}`,
        });
        encoder.push(r.timings.encoderMs);
      }
      const decoder: number[] = [];
      const overhead: number[] = [];
      const upsample: number[] = [];
      for (let i = 0; i < 26; i++) {
        // A click, then a click with a box, like a user refining a region.
        const r = await engine.segment(rgb, models, {
          boxImagePx: { x0: 800 + i * 10, y0: 600, x1: 3200, y1: 2400 },
          points: [
            { xImagePx: 1500 + i * 20, yImagePx: 1200, isPositive: true },
            { xImagePx: 2500, yImagePx: 1800 - i * 10, isPositive: false },
          ],
          imageKey: 'click',
        });
        if (i < 5) continue;
        decoder.push(r.timings.decoderMs);
        overhead.push(r.timings.overheadMs);
        upsample.push(r.timings.upsampleMs);
      }
      const result = {
        encoderMs: round(median(encoder)),
        decoderMs: round(median(decoder)),
        clickToMaskOverheadMs: round(median(overhead)),
      };
      context.log(
        `segment 12 MP (${width}×${height}): encoder ${result.encoderMs} ms, decoder ${result.decoderMs} ms, ` +
          `click overhead ${result.clickToMaskOverheadMs} ms (of which up-sampling ${round(median(upsample))} ms)`,
      );
      return result;
    } finally {
      await engine.dispose();
    }
  },
};
