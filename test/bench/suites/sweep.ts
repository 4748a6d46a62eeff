import { join } from 'node:path';
import sharp from 'sharp';
import { sweepCells } from '../../../shared/api/sweep';
import { createMask } from '../../../shared/image/types';
import { EditEngine } from '../../../main/engine/editEngine';
import type { EditOptions, EditResult } from '../../../main/engine/pipeline';
import { runSweep, type SweepSummary } from '../../../main/engine/sweep';
import { openImage } from '../../../main/image/decode';
import { ensureFixtures } from '../../fixtures/models/all';
import { cacheDir } from '../../setup/global';
import { median, type BenchSuite } from '../suite';

const chelsea = join(import.meta.dirname, '..', '..', 'fixtures', 'images', 'chelsea.png');
const round = (ms: number): number => Math.round(ms * 10) / 10;
const rounded = (timings: Readonly<Record<string, number>>) =>
  Object.fromEntries(Object.entries(timings).map(([stage, ms]) => [stage, round(ms)]));

/**
 * `sweep`: a σ × seed grid (2 × 4, 8 cells) against single edits of the same photo (1.2 MP JPEG, fixture models,
 * the training-free engine so the original's VAE encoding is part of every edit, 10 steps, warm sessions). The
 * cells share decoding, the stored values, the working frame, Canny, the original's latents and the text.
 */
export const sweepSuite: BenchSuite = {
  name: 'sweep',
  summary: 'a 2 × 4 σ × seed sweep: ms per cell vs one single edit (what the sharing saves)',
  async run(context) {
    const models = ensureFixtures();
    const bytes = new Uint8Array(await sharp(chelsea).resize(1350, 900).jpeg({ quality: 92 }).toBuffer());
    const mask = createMask(1350, 900);
    for (let y = 250; y < 650; y++) mask.data.fill(255, y * 1350 + 400, y * 1350 + 950);
    const options: EditOptions = {
      prompt: 'a tiger',
      steps: 10,
      provider: 'cpu',
      sd: 'sd15',
      controlnet: 'controlnet-canny',
    };
    const hashCachePath = join(cacheDir, 'engine-hashes.json');
    const engine = new EditEngine();
    try {
      const single = async (seed: number): Promise<{ ms: number; result: EditResult }> => {
        const started = performance.now();
        const image = await openImage(bytes);
        const result = await engine.edit({
          image,
          mask,
          modelsDir: models,
          options: { ...options, seed },
          hashCachePath,
        });
        return { ms: performance.now() - started, result };
      };
      await single(0); // loads the sessions
      const singles = [];
      for (let seed = 1; seed <= 3; seed++) singles.push(await single(seed));
      context.log(`single edits: ${singles.map((s) => Math.round(s.ms)).join(', ')} ms`);
      const cells = sweepCells([
        { key: 'noise', values: [0.3, 0.7] },
        { key: 'seed', values: [1, 2, 3, 4] },
      ]);
      const runs: { ms: number; summary: SweepSummary }[] = [];
      for (let i = 0; i < 2; i++) {
        const started = performance.now();
        const image = await openImage(bytes);
        const summary = await runSweep(engine, {
          image,
          mask,
          modelsDir: models,
          options,
          cells,
          hashCachePath,
          onCell: () => undefined,
        });
        runs.push({ ms: performance.now() - started, summary });
        context.log(`sweep of ${cells.length} cells: ${Math.round(runs[i]!.ms)} ms`);
      }
      const singleMs = median(singles.map((s) => s.ms));
      const perCellMs = median(runs.map((r) => r.ms)) / cells.length;
      return {
        cells: cells.length,
        singleEditMs: round(singleMs),
        sweepMs: round(median(runs.map((r) => r.ms))),
        perCellMs: round(perCellMs),
        perCellVsSingle: Math.round((perCellMs / singleMs) * 1000) / 1000,
        shared: runs[0]!.summary.shared,
        singleStagesMs: rounded(singles[0]!.result.timings),
        sweepStagesMs: rounded(runs[0]!.summary.timings),
      };
    } finally {
      await engine.dispose();
    }
  },
};
