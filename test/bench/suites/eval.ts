import { join } from 'node:path';
import sharp from 'sharp';
import { evaluatePair } from '../../../main/eval/evaluate';
import { defaultGrowth } from '../../../main/eval/masks';
import { locateMetricModels } from '../../../main/eval/models/locate';
import { MetricModels } from '../../../main/eval/models/metricModels';
import type { Mask, RgbImage } from '../../../shared/image/types';
import { ensureFixtures } from '../../fixtures/models/all';
import { measure, type BenchSuite } from '../suite';

const photo = join(import.meta.dirname, '..', '..', 'fixtures', 'images', 'coffee.png');

async function pair(width: number, height: number): Promise<{ original: RgbImage; edited: RgbImage; mask: Mask }> {
  const { data } = await sharp(photo)
    .resize(width, height, { fit: 'fill' })
    .raw()
    .toBuffer({ resolveWithObject: true });
  const original = { width, height, data: new Uint8Array(data) };
  const mask = { width, height, data: new Uint8Array(width * height) };
  for (let y = height >> 2; y < (3 * height) >> 2; y++)
    mask.data.fill(255, y * width + (width >> 2), y * width + ((3 * width) >> 2));
  const edited = { width, height, data: original.data.map((v, i) => (mask.data[Math.floor(i / 3)] ? 255 - v : v)) };
  return { original, edited, mask };
}

/**
 * `iir eval`'s cost without models (PSNR, MSE, SSIM outside both masks; the dilation included) at 512² (PIE-Bench's
 * size) and 12 MP, and with the fixture metric models at 512² (LPIPS, three CLIP scores, structure distance: the
 * fixtures are tiny, so this is the pipeline around the networks, not the networks).
 */
export const evalSuite: BenchSuite = {
  name: 'eval',
  summary: 'iir eval per image: pixel metrics at 512² and 12 MP, all metrics with fixture models at 512² (median ms)',
  async run(context) {
    const result: Record<string, unknown> = {};
    for (const [key, width, height, runs] of [
      ['pixels512', 512, 512, 11],
      ['pixels12mp', 4240, 2832, 3],
    ] as const) {
      const inputs = await pair(width, height);
      context.log(`eval: pixel metrics ${width}×${height}`);
      result[key] = await measure(() => evaluatePair({ ...inputs, growth: defaultGrowth }, null), runs, 1);
    }
    const models = new MetricModels((await locateMetricModels(ensureFixtures())).found);
    const inputs = await pair(512, 512);
    context.log('eval: every metric with the fixture models at 512²');
    result.allFixture512 = await measure(
      () => evaluatePair({ ...inputs, prompt: 'a green cup', growth: defaultGrowth }, models),
      7,
      2,
    );
    await models.release();
    result.rssMiB = Math.round(process.memoryUsage().rss / 2 ** 20);
    return result;
  },
};
