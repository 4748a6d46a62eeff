/** `iir eval --bench`: every case of a PIE-Bench folder, then results.csv, results.json and report.html. */
import { mkdir } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import sharp from 'sharp';
import { throwIfCancelled } from '../../shared/errors';
import type { RgbImage } from '../../shared/image/types';
import type { CommandContext } from '../cli/command';
import { refuseExisting } from '../cli/outputs';
import { writeFilesAtomic } from '../files/atomicWrite';
import { openImage } from '../image/decode';
import { readMask } from '../image/readMask';
import { decodeRleMask, readBenchFolder, type BenchCase } from './benchFolder';
import { benchCsv, benchHtml, benchJson, benchSummary, type BenchRow } from './benchReport';
import { evaluatePair } from './evaluate';
import type { CompositeGrowth } from './masks';
import { metricRoles, missingModelsLine } from './models/locate';
import type { MetricModels } from './models/metricModels';

export interface BenchOptions {
  readonly folder: string;
  readonly edited: string | undefined;
  readonly out: string;
  readonly force: boolean;
  readonly growth: CompositeGrowth;
  readonly json: boolean;
}

const thumbnailWidth = 160;

async function thumbnail(image: RgbImage): Promise<Uint8Array> {
  const raw = { width: image.width, height: image.height, channels: 3 as const };
  const width = Math.min(thumbnailWidth, image.width);
  return new Uint8Array(await sharp(image.data, { raw }).resize({ width }).jpeg({ quality: 80 }).toBuffer());
}

async function evaluateCase(
  c: BenchCase,
  options: BenchOptions,
  models: MetricModels | null,
  context: CommandContext,
): Promise<BenchRow> {
  const original = (await (await openImage(c.imagePath)).decode()).rgb;
  const edited = (await (await openImage(c.editedPath)).decode()).rgb;
  const mask =
    typeof c.mask === 'string'
      ? await readMask(c.mask, original)
      : decodeRleMask(c.mask, original.width, original.height, c.id);
  const metrics = await evaluatePair(
    { original, edited, mask, prompt: c.targetPrompt, growth: options.growth },
    models,
    context.signal,
  ).catch((error: unknown) => {
    if (error instanceof Error) error.message = `entry "${c.id}": ${error.message}`;
    throw error;
  });
  return { case: c, metrics, thumbnails: { original: await thumbnail(original), edited: await thumbnail(edited) } };
}

/** Evaluates the folder and writes the three files into `options.out` (refusing existing ones without --force). */
export async function runBench(
  options: BenchOptions,
  models: MetricModels | null,
  context: CommandContext,
): Promise<void> {
  const cases = await readBenchFolder(options.folder, options.edited);
  const out = resolve(options.out);
  const paths = { csv: join(out, 'results.csv'), json: join(out, 'results.json'), html: join(out, 'report.html') };
  await refuseExisting(Object.values(paths), options.force);
  const missing = metricRoles.filter((role) => !models?.has(role));
  const note = missingModelsLine(missing);
  if (note) context.log(note);
  const bar = context.progress('eval');
  const rows: BenchRow[] = [];
  for (const [i, c] of cases.entries()) {
    throwIfCancelled(context.signal);
    rows.push(await evaluateCase(c, options, models, context));
    bar.update((i + 1) / cases.length, `${i + 1}/${cases.length}`);
  }
  bar.finish();
  const title = `iir eval — ${basename(resolve(options.folder))}`;
  const extra = { folder: resolve(options.folder), growth: options.growth, missingModels: missing, note };
  await mkdir(out, { recursive: true });
  await writeFilesAtomic(
    [
      { path: paths.csv, bytes: benchCsv(rows) },
      { path: paths.json, bytes: benchJson(rows, extra) },
      { path: paths.html, bytes: benchHtml(rows, title, note) },
    ],
    { signal: context.signal, overwrite: options.force },
  );
  if (options.json) context.printJson({ ...extra, out, files: paths, summary: benchSummary(rows) });
  else context.log(`${rows.length} cases evaluated; wrote ${paths.csv}, ${paths.json} and ${paths.html}`);
}
