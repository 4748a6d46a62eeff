import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { builtinCatalogPath, loadCatalog } from '../../../main/models/catalog';
import { checkContract } from '../../../main/models/contract';
import { evaluatePair } from '../../../main/eval/evaluate';
import { locateMetricModels } from '../../../main/eval/models/locate';
import { MetricModels } from '../../../main/eval/models/metricModels';
import { loadTokenizer } from '../../../main/engine/text';
import { ensureFixtures } from '../../fixtures/models/all';
import { METRIC_FIXTURE_FOLDERS } from '../../fixtures/models/metrics';
import { runIirHere } from '../../helpers/cli';
import { editedCopy, oracleMissing, photoCrop, rectMask, runOracle, tempDir, writePng } from './helpers';

const missing = oracleMissing(true);
if (missing) console.warn(`eval model tests: ${missing}; the reference-value tests are skipped`);
const growth = { dilatePx: 8, featherPx: 8 };

async function tokenIds(fixtures: string, prompt: string): Promise<number[]> {
  const tokenizer = await loadTokenizer(join(fixtures, METRIC_FIXTURE_FOLDERS.clip));
  return (tokenizer(prompt, { truncation: true, max_length: 77, return_tensor: false }) as { input_ids: number[] })
    .input_ids;
}

async function scene(width: number, height: number, box: [number, number, number, number]) {
  const dir = tempDir('eval-models-');
  const original = await photoCrop(width, height, 0, 0);
  const mask = rectMask(width, height, ...box);
  const edited = editedCopy(original, mask, 12);
  const paths = [join(dir, 'a.png'), join(dir, 'b.png'), join(dir, 'm.png')];
  await Promise.all([writePng(paths[0]!, original), writePng(paths[1]!, edited), writePng(paths[2]!, mask)]);
  return { original, mask, edited, paths };
}

describe('iir eval with the metric models (fixture networks)', () => {
  it('the fixture folders satisfy the catalog contracts of the lpips, clip and dino roles', async () => {
    const fixtures = ensureFixtures();
    const catalog = await loadCatalog(builtinCatalogPath());
    for (const role of ['lpips', 'clip', 'dino'] as const) {
      const dir = join(fixtures, METRIC_FIXTURE_FOLDERS[role]);
      await expect(checkContract(dir, catalog.roles[role]!, role)).resolves.toContain(
        role === 'lpips' ? 'lpips_diff.onnx' : 'onnx/' + (role === 'clip' ? 'text_model.onnx' : 'model.onnx'),
      );
    }
    const bundle = catalog.bundles.find((b) => b.id === 'metrics');
    expect(bundle?.models).toEqual(['lpips-alex', 'clip-vit-l14', 'dino-vitb8']);
  });

  it.skipIf(missing !== null)(
    'LPIPS and the three CLIP scores follow the formulas (numpy on the same weights)',
    async () => {
      const fixtures = ensureFixtures();
      const { found } = await locateMetricModels(fixtures);
      const models = new MetricModels(found);
      // 320×224: CLIP's centre crop needs no resize; the region's bounding box is exactly 224².
      const { original, mask, edited, paths } = await scene(320, 224, [60, 0, 284, 224]);
      const prompt = 'a red cat on a sofa';
      const ours = await evaluatePair({ original, edited, mask, prompt, growth }, models);
      const reference = runOracle(['models', fixtures, ...paths, JSON.stringify(await tokenIds(fixtures, prompt))]);
      await models.release();
      expect(ours.mask.lpips).toBeGreaterThan(0);
      expect(ours.mask.lpips).toBeCloseTo(reference.lpips!, 5);
      expect(ours.clip!.whole).toBeCloseTo(reference.clip_whole!, 3);
      expect(ours.clip!.edited).toBeCloseTo(reference.clip_edited!, 3);
      expect(ours.clip!.region).toBeCloseTo(reference.clip_region!, 3);
      expect(new Set([ours.clip!.whole, ours.clip!.edited, ours.clip!.region]).size).toBe(3);
    },
  );

  it.skipIf(missing !== null)('the structure distance is the MSE of DINO token self-similarities', async () => {
    const fixtures = ensureFixtures();
    const models = new MetricModels((await locateMetricModels(fixtures)).found);
    const { original, mask, edited, paths } = await scene(224, 224, [40, 50, 150, 170]);
    const ours = await evaluatePair({ original, edited, mask, prompt: 'a cat', growth }, models);
    const reference = runOracle(['models', fixtures, ...paths, JSON.stringify(await tokenIds(fixtures, 'a cat'))]);
    await models.release();
    expect(ours.structureFeatures).toBe('tokens');
    expect(ours.structureDistance).toBeGreaterThan(0);
    expect(ours.structureDistance! / reference.structure!).toBeCloseTo(1, 4);
    expect(ours.mask.lpips).toBeCloseTo(reference.lpips!, 5);
  });

  it('reports every metric from the CLI with the models installed', async () => {
    const fixtures = ensureFixtures();
    const { paths } = await scene(120, 100, [30, 30, 80, 70]);
    const run = await runIirHere([
      'eval',
      '--original',
      paths[0]!,
      '--edited',
      paths[1]!,
      '--mask',
      paths[2]!,
      '--prompt',
      'a dog',
      '--models',
      fixtures,
      '--json',
    ]);
    expect(run.code, run.stderr).toBe(0);
    const report = JSON.parse(run.stdout) as Record<string, unknown>;
    expect(report).toMatchObject({ missingModels: [], note: null, structureFeatures: 'tokens', prompt: 'a dog' });
    expect((report.clip as Record<string, number>).region).toBeGreaterThan(0);
    expect((report.outsideDilated as Record<string, unknown>).lpips).toEqual(expect.any(Number));
  });
});
