import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp, { type JpegOptions } from 'sharp';
import { outputDir, photo } from '../helpers';

/** libjpeg-turbo's command-line tools (Debian: libjpeg-turbo-progs), the independent oracle of these tests. */
export const hasLibjpegTools = ['djpeg', 'cjpeg', 'jpegtran'].every(
  (tool) => spawnSync(tool, ['-version'], { stdio: 'ignore' }).error === undefined,
);
if (!hasLibjpegTools) {
  console.warn(
    'JPEG coefficient tests skipped: djpeg / cjpeg / jpegtran missing (apt-get install libjpeg-turbo-progs)',
  );
}

export const dir = outputDir('jpeg');

/** Decoded pixels as djpeg writes them (PPM for colour, PGM for gray). */
export interface Pnm {
  readonly width: number;
  readonly height: number;
  readonly channels: 1 | 3;
  readonly data: Uint8Array;
}

export function parsePnm(bytes: Buffer): Pnm {
  const fields: string[] = [];
  let p = 0;
  while (fields.length < 4) {
    while (/\s/.test(String.fromCharCode(bytes[p]!))) p++;
    const start = p;
    while (!/\s/.test(String.fromCharCode(bytes[p]!))) p++;
    fields.push(bytes.subarray(start, p).toString('latin1'));
  }
  const [magic, width, height] = fields;
  const channels = magic === 'P6' ? 3 : 1;
  const data = new Uint8Array(bytes.subarray(p + 1, p + 1 + Number(width) * Number(height) * channels));
  return { width: Number(width), height: Number(height), channels, data };
}

export function writePnm(path: string, image: Pnm): void {
  const header = `P${image.channels === 3 ? 6 : 5}\n${image.width} ${image.height}\n255\n`;
  writeFileSync(path, Buffer.concat([Buffer.from(header, 'latin1'), image.data]));
}

/** djpeg's decoding of JPEG bytes; `nosmooth` turns off fancy (triangle) chroma upsampling. */
export function djpeg(jpeg: Uint8Array, nosmooth = false): Pnm {
  const args = nosmooth ? ['-nosmooth'] : [];
  return parsePnm(execFileSync('djpeg', args, { input: jpeg, maxBuffer: 1 << 30 }));
}

export function tool(name: 'cjpeg' | 'jpegtran', args: readonly string[], input?: Uint8Array): Uint8Array {
  return new Uint8Array(execFileSync(name, args, { maxBuffer: 1 << 30, ...(input ? { input } : {}) }));
}

/** A shared photo (optionally cropped to an odd size, so MCUs straddle the edges) as a PPM file for cjpeg. */
export async function photoPpm(name: 'coffee' | 'chelsea', crop?: { width: number; height: number }): Promise<string> {
  const path = join(dir, `${name}-${crop ? `${crop.width}x${crop.height}` : 'full'}.ppm`);
  if (existsSync(path)) return path;
  let pipeline = sharp(photo(name)).removeAlpha().toColourspace('srgb');
  if (crop) pipeline = pipeline.extract({ left: 7, top: 5, width: crop.width, height: crop.height });
  const { data, info } = await pipeline.raw().toBuffer({ resolveWithObject: true });
  // Test files run in parallel processes: write aside, then rename, so no reader sees half a file.
  const partial = `${path}.${process.pid}`;
  writePnm(partial, { width: info.width, height: info.height, channels: 3, data: new Uint8Array(data) });
  renameSync(partial, path);
  return path;
}

/** The sources the tests read: every sampling, gray, restart intervals, progressive (from jpegtran and cjpeg). */
export async function sourceJpegs(): Promise<Record<string, Uint8Array>> {
  const full = await photoPpm('coffee');
  const odd = await photoPpm('chelsea', { width: 301, height: 203 });
  const baseline420 = tool('cjpeg', ['-quality', '85', full]);
  return {
    'baseline 4:2:0': baseline420,
    'baseline 4:4:4': tool('cjpeg', ['-quality', '90', '-sample', '1x1', full]),
    'baseline 4:2:2': tool('cjpeg', ['-quality', '80', '-sample', '2x1', full]),
    'baseline 4:2:0, odd size': tool('cjpeg', ['-quality', '75', odd]),
    'baseline 4:4:4, odd size': tool('cjpeg', ['-quality', '75', '-sample', '1x1', odd]),
    'baseline 4:2:2, odd size, restarts every 5 MCUs': tool('cjpeg', ['-sample', '2x1', '-restart', '5B', odd]),
    'gray, odd size': tool('cjpeg', ['-grayscale', odd]),
    'gray, restarts every row': tool('cjpeg', ['-grayscale', '-restart', '1', full]),
    'baseline 4:2:0, restarts every 2 rows': tool('cjpeg', ['-restart', '2', full]),
    'progressive 4:2:0 (jpegtran)': tool('jpegtran', ['-progressive'], baseline420),
    'progressive 4:4:4, odd size': tool('cjpeg', ['-progressive', '-sample', '1x1', odd]),
    'progressive 4:2:2, restarts every row': tool('cjpeg', ['-progressive', '-sample', '2x1', '-restart', '1', full]),
    'progressive gray, odd size': tool('cjpeg', ['-progressive', '-grayscale', odd]),
    // libvips through sharp: mozjpeg's scan script (successive approximation of DC, split luma bands) and
    // libjpeg-turbo's optimised scans.
    'progressive, mozjpeg scans (sharp)': await sharpJpeg({ mozjpeg: true }),
    'progressive 4:4:4, optimised scans (sharp)': await sharpJpeg({
      progressive: true,
      optimiseScans: true,
      chromaSubsampling: '4:4:4',
    }),
  };
}

async function sharpJpeg(options: JpegOptions): Promise<Uint8Array> {
  return new Uint8Array(await sharp(photo('grass')).jpeg(options).toBuffer());
}

/** The byte ranges of every APPn and COM segment, in order. */
export function appSegments(jpeg: Uint8Array): Buffer[] {
  const segments: Buffer[] = [];
  let p = 2;
  while (p + 4 <= jpeg.length && jpeg[p] === 0xff && jpeg[p + 1] !== 0xda) {
    const marker = jpeg[p + 1]!;
    const length = (jpeg[p + 2]! << 8) | jpeg[p + 3]!;
    if ((marker >= 0xe0 && marker <= 0xef) || marker === 0xfe) {
      segments.push(Buffer.from(jpeg.subarray(p, p + 2 + length)));
    }
    p += 2 + length;
  }
  return segments;
}

/** A cjpeg scan script of one full (sequential) scan per component, written once per process, atomically. */
export function sequentialScanScript(): string {
  const path = join(dir, 'sequential-scans.txt');
  const partial = `${path}.${process.pid}`;
  writeFileSync(partial, '0;\n1;\n2;\n');
  renameSync(partial, path);
  return path;
}
