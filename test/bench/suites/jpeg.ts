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

/** The 12 MP source (sharp: quality 90, 4:2:0), its decoded pixels with an edit, and a region of ~10 % of the area. */
async function ensureInputs(): Promise<{ source: string; composited: string; region: string; regionShare: number }> {
  mkdirSync(cacheDir, { recursive: true });
  const source = join(cacheDir, `coffee-${width}x${height}.jpg`);
  const composited = join(cacheDir, `coffee-${width}x${height}-edited.rgb`);
  const regionPath = join(cacheDir, `coffee-${width}x${height}-region.bin`);
  if (!existsSync(source)) {
    await sharp(join(imagesDir, 'coffee.png'))
      .resize(width, height, { fit: 'fill', kernel: 'lanczos3' })
      .jpeg({ quality: 90 })
      .toFile(source);
  }
  // A disc of radius r with r² π = 10 % of the area; the composite inverts it (a worst case for re-encoding).
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
  return { source, composited, region: regionPath, regionShare: inside / (width * height) };
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

/**
 * Block-keeping JPEG export of a 12 MP photo with ~10 % of its area edited: read all coefficients, re-encode the
 * touched MCUs, write with optimised Huffman tables. Runs in a child process so its peak RSS is the writer's.
 */
export const jpegSuite: BenchSuite = {
  name: 'jpeg',
  summary: 'block-keeping JPEG export, 12 MP, ~10 % edited: read+write ms (median), peak RSS vs decoded image',
  async run(context) {
    const inputs = await ensureInputs();
    const args = [...process.execArgv, worker, inputs.source, inputs.composited, inputs.region];
    const output = execFileSync(process.execPath, [...args, String(width), String(height), String(runs)], {
      maxBuffer: 1 << 20,
    });
    const report = JSON.parse(output.toString()) as WorkerReport;
    const decodedBytes = width * height * 3;
    const result = {
      readWriteMs: Math.round(median(report.totals)),
      cpuMs: Math.round(median(report.cpu)),
      firstRunMs: Math.round(report.totals[0]!),
      readMs: Math.round(median(report.reads)),
      peakRssMb: mb(report.peakRss),
      inputsRssMb: mb(report.inputsRss),
      writerMemoryMb: mb(report.peakRss - report.inputsRss),
      decodedImageMb: mb(decodedBytes),
      peakRssOverDecoded: Math.round((report.peakRss / decodedBytes) * 100) / 100,
      // The export's own memory: the inputs it is handed (source, pixels, region) and what the writer adds, without
      // the Node runtime's fixed start-up RSS.
      exportMemoryOverDecoded:
        Math.round(((report.peakRss - report.inputsRss + report.inputsBytes) / decodedBytes) * 100) / 100,
      sourceBytes: statSync(inputs.source).size,
      outputBytes: report.outputBytes,
      mcusTotal: report.mcusTotal,
      mcusReencoded: report.mcusReencoded,
      regionShare: Math.round(inputs.regionShare * 1000) / 1000,
    };
    context.log(
      `jpeg 12 MP: ${result.readWriteMs} ms read+write (read ${result.readMs} ms), peak RSS ${result.peakRssMb} MB ` +
        `(${result.peakRssOverDecoded}× the ${result.decodedImageMb} MB decoded image; export alone ${result.exportMemoryOverDecoded}×), ` +
        `${result.mcusReencoded}/${result.mcusTotal} MCUs re-encoded`,
    );
    return result;
  },
};
