import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import type { EditRecipe } from '../../../main/engine/recipe';
import { openImage, type ImageSource } from '../../../main/image/decode';
import type { StoredPixels } from '../../../main/image/stored';
import { exportEdit } from '../../../main/image/exportEdit';
import { encodeStored } from '../../../main/image/exportStored';
import { writeFileAtomic } from '../../../main/image/writeFile';
import { proPhoto } from '../../unit/image/profiles';
import { measure, type BenchSuite } from '../suite';
import { measureDifferenceCache } from './exportDifference';

const imagesDir = join(import.meta.dirname, '..', '..', 'fixtures', 'images');
const cacheDir = join(import.meta.dirname, '..', '..', '..', '.cache', 'bench');
const [width, height] = [4240, 2832]; // 12.0 MP

/** A 12 MP 16-bit ProPhoto TIFF with EXIF, made once from the coffee photo (never committed). */
async function ensureTiff16(): Promise<string> {
  mkdirSync(cacheDir, { recursive: true });
  const path = join(cacheDir, `coffee-${width}x${height}-16bit-prophoto.tif`);
  if (existsSync(path)) return path;
  const { data } = await sharp(join(imagesDir, 'coffee.png'))
    .resize(width, height, { fit: 'fill', kernel: 'lanczos3' })
    .removeAlpha()
    .toColourspace('rgb16')
    .raw({ depth: 'ushort' })
    .toBuffer({ resolveWithObject: true });
  const probe = await sharp({ create: { width: 8, height: 8, channels: 3, background: '#808080' } })
    .withExifMerge({ IFD0: { Make: 'Canon', Model: 'EOS R5' }, IFD2: { ExposureTime: '1/100' } })
    .jpeg()
    .toBuffer();
  const exif = new Uint8Array((await sharp(probe).metadata()).exif!.subarray(6));
  const image = {
    width,
    height,
    channels: 3,
    colourChannels: 3,
    hasAlpha: false,
    depth: 16,
    space: 'rgb',
    data: new Uint16Array(data.buffer, data.byteOffset, data.length / 2),
  } as const;
  const meta = { exif, exifTree: null, xmp: null, iptc: null, icc: proPhoto, orientation: 1 };
  const { bytes } = await encodeStored(image, meta, proPhoto, { format: 'tiff', text: {}, removeLocation: false });
  writeFileSync(path, bytes);
  return path;
}

const region = new Uint8Array(width * height);
for (let y = 1000; y < 1800; y++) region.fill(255, y * width + 1500, y * width + 2700);

/** The source's stored values with a region changed, as the compositor leaves them. */
async function editedImage(source: ImageSource): Promise<StoredPixels> {
  const stored = await source.decodeStored();
  const data = stored.data;
  for (let y = 1000; y < 1800; y++) {
    for (let x = 1500; x < 2700; x++) data[(y * width + x) * 3] = 65535 - data[(y * width + x) * 3]!;
  }
  return stored;
}

const recipe = { app: { name: 'IIR Studio', version: 'bench' }, prompt: 'bench' } as unknown as EditRecipe;

/**
 * Export of an edited 12 MP 16-bit TIFF as 16-bit TIFF (profile, EXIF, recipe kept): median ms of encode + atomic
 * write, and the memory in use at the export's peak (the held result plus what the export adds, by RSS) as a
 * multiple of the decoded image's bytes. Run with `node --expose-gc` for steadier memory figures.
 */
export const exportSuite: BenchSuite = {
  name: 'export',
  summary:
    'export an edited 12 MP 16-bit TIFF as TIFF: median ms, peak memory ÷ decoded image bytes; the stored ' +
    'difference of a 12 MP JPEG edit, first and cached',
  async run(context) {
    const path = await ensureTiff16();
    const out = join(cacheDir, 'export-out.tif');
    // As in the app: the edit result (the composited stored values) is held, then exported; the source's own
    // decoded values are gone by then (main holds only the file's bytes and the result).
    const source = await openImage(readFileSync(path));
    const image = await editedImage(source);
    const decodedBytes = image.data.byteLength;
    globalThis.gc?.();
    const before = process.memoryUsage.rss();
    let peak = before;
    const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 2);
    const once = async (): Promise<void> => {
      const { bytes } = await exportEdit(source, { image, region, recipe }, { format: 'tiff' });
      await writeFileAtomic(out, bytes);
      peak = Math.max(peak, process.memoryUsage.rss());
    };
    const { wallMs, cpuMs } = await measure(once, 5, 1);
    clearInterval(timer);
    // memory in use while exporting: the held result (1×) plus what the export adds at its peak
    const peakRatio = Math.round((1 + (peak - before) / decodedBytes) * 100) / 100;
    context.log(
      `export tiff16 12mp: ${wallMs} ms (CPU ${cpuMs} ms); peak ${Math.round((peak - before) / 1e6)} MB above the ` +
        `held result = ${peakRatio}× the ${Math.round(decodedBytes / 1e6)} MB decoded image`,
    );
    const difference = await measureDifferenceCache();
    context.log(
      `difference 12 MP JPEG: first ${difference.firstDifferenceMs} ms (decodes the original), then ` +
        `${difference.cachedDifferenceMs} ms (cached, ${difference.sourceDecodes} decode in all); export plan ` +
        `${difference.exportPlanMs} ms; JPEG export through the store ${difference.jpegExportMs} ms`,
    );
    return {
      tiff16_12mp: { wallMs, cpuMs, peakMemoryRatio: peakRatio, decodedMB: Math.round(decodedBytes / 1e6) },
      difference_jpeg_12mp: difference,
    };
  },
};
