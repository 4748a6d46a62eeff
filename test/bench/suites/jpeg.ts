import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { median, type BenchSuite } from '../suite';

const imagesDir = join(import.meta.dirname, '..', '..', 'fixtures', 'images');
const cacheDir = join(import.meta.dirname, '..', '..', '..', '.cache', 'bench');
const worker = join(import.meta.dirname, 'jpegWorker.ts');
// 4240×2832 = 12.0 MP, the coffee photo's 3:2 aspect (as the preprocess suite's 12 MP input).
const width = 4240;
const height = 2832;
const runs = 7;
const mb = (bytes: number): number => Math.round((bytes / 2 ** 20) * 10) / 10;
const ratio = (a: number, b: number): number => Math.round((a / b) * 100) / 100;

/** The 12 MP sources (sharp: quality 90, 4:2:0, baseline and progressive). */
async function ensureSource(progressive: boolean): Promise<string> {
  mkdirSync(cacheDir, { recursive: true });
  const path = join(cacheDir, `coffee-${width}x${height}${progressive ? '-progressive' : ''}.jpg`);
  if (!existsSync(path)) {
    await sharp(join(imagesDir, 'coffee.png'))
      .resize(width, height, { fit: 'fill', kernel: 'lanczos3' })
      .jpeg({ quality: 90, progressive })
      .toFile(path);
  }
  return path;
}

/** The decoded source with a disc of ~10 % of the area inverted (a worst case for re-encoding), and that disc. */
async function ensureEdit(source: string): Promise<{ composited: string; region: string; regionShare: number }> {
  const composited = source.replace(/\.jpg$/, '-edited.rgb');
  const regionPath = source.replace(/\.jpg$/, '-region.bin');
  const radius = Math.sqrt((0.1 * width * height) / Math.PI);
  const region = new Uint8Array(width * height);
  const pixels = new Uint8Array(await sharp(source).raw().toBuffer());
  let inside = 0;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if ((x - width * 0.4) ** 2 + (y - height * 0.5) ** 2 > radius * radius) continue;
      const i = y * width + x;
      region[i] = 255;
      inside++;
      for (let k = 0; k < 3; k++) pixels[i * 3 + k] = 255 - pixels[i * 3 + k]!;
    }
  }
  writeFileSync(composited, pixels);
  writeFileSync(regionPath, region);
  return { composited, region: regionPath, regionShare: inside / (width * height) };
}

interface WorkerReport {
  totals: number[];
  cpu: number[];
  reads: number[];
  inputsRss: number;
  inputsBytes: number;
  peakRss: number;
  outputBytes: number;
  mcusTotal: number;
  mcusReencoded: number;
}

async function measureSource(progressive: boolean): Promise<Record<string, number>> {
  const source = await ensureSource(progressive);
  const edit = await ensureEdit(source);
  const args = [...process.execArgv, worker, source, edit.composited, edit.region, String(width), String(height)];
  const output = execFileSync(process.execPath, [...args, String(runs)], { maxBuffer: 1 << 20 });
  const report = JSON.parse(output.toString()) as WorkerReport;
  const decodedBytes = width * height * 3;
  return {
    readWriteMs: Math.round(median(report.totals)),
    cpuMs: Math.round(median(report.cpu)),
    firstRunMs: Math.round(report.totals[0]!),
    readMs: Math.round(median(report.reads)),
    peakRssMb: mb(report.peakRss),
    inputsRssMb: mb(report.inputsRss),
    writerMemoryMb: mb(report.peakRss - report.inputsRss),
    decodedImageMb: mb(decodedBytes),
    peakRssOverDecoded: ratio(report.peakRss, decodedBytes),
    // The export's own memory: the inputs it is handed (source, pixels, region) and what the writer adds to them,
    // without the Node runtime's fixed start-up RSS.
    exportMemoryOverDecoded: ratio(report.peakRss - report.inputsRss + report.inputsBytes, decodedBytes),
    sourceBytes: statSync(source).size,
    outputBytes: report.outputBytes,
    mcusTotal: report.mcusTotal,
    mcusReencoded: report.mcusReencoded,
    regionShare: Math.round(edit.regionShare * 1000) / 1000,
  };
}

/**
 * Block-keeping JPEG export of a 12 MP photo with ~10 % of its area edited: read all coefficients, re-encode the
 * touched MCUs, write with optimised Huffman tables; for a baseline and a progressive source. Each runs in a child
 * process so that its peak RSS is the export's.
 */
export const jpegSuite: BenchSuite = {
  name: 'jpeg',
  summary: 'block-keeping JPEG export, 12 MP, ~10 % edited: read+write ms (median), peak RSS vs decoded image',
  async run(context) {
    const result: Record<string, Record<string, number>> = {};
    for (const kind of ['baseline', 'progressive'] as const) {
      const r = await measureSource(kind === 'progressive');
      result[kind] = r;
      context.log(
        `jpeg 12 MP ${kind}: ${r.readWriteMs} ms read+write (CPU ${r.cpuMs} ms, read ${r.readMs} ms), peak RSS ` +
          `${r.peakRssMb} MB = ${r.peakRssOverDecoded}× the ${r.decodedImageMb} MB decoded image (export alone ` +
          `${r.exportMemoryOverDecoded}×), ${r.mcusReencoded}/${r.mcusTotal} MCUs re-encoded`,
      );
    }
    return result;
  },
};
