import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import type { EditRecipe } from '../../../main/engine/recipe';
import { openImage } from '../../../main/image/decode';
import { ImageStore } from '../../../main/services/images';
import { median } from '../suite';

const imagesDir = join(import.meta.dirname, '..', '..', 'fixtures', 'images');
const cacheDir = join(import.meta.dirname, '..', '..', '..', '.cache', 'bench');
const [width, height] = [4240, 2832];
const recipe = { app: { name: 'IIR Studio', version: 'bench' }, prompt: 'bench' } as unknown as EditRecipe;

/** The 12 MP JPEG the jpeg suite uses (made here when that suite has not run). */
async function ensureJpeg(): Promise<string> {
  mkdirSync(cacheDir, { recursive: true });
  const path = join(cacheDir, `coffee-${width}x${height}.jpg`);
  if (!existsSync(path)) {
    await sharp(join(imagesDir, 'coffee.png'))
      .resize(width, height, { fit: 'fill', kernel: 'lanczos3' })
      .jpeg({ quality: 90 })
      .toFile(path);
  }
  return path;
}

const time = async (run: () => Promise<unknown>): Promise<number> => {
  const start = performance.now();
  await run();
  return performance.now() - start;
};

/**
 * The difference view and the export panel as the app runs them on a 12 MP JPEG edit (ImageStore): the first
 * `images:difference` decodes the original's stored values, later ones reuse the per-document cache; likewise the
 * export plan. Median of 5 repeats.
 */
export async function measureDifferenceCache(): Promise<Record<string, number>> {
  const bytes = new Uint8Array(readFileSync(await ensureJpeg()));
  const store = new ImageStore();
  const original = await store.open({ bytes, name: 'coffee.jpg' });
  const source = await openImage(bytes, { name: 'coffee.jpg' });
  const image = await source.decodeStored();
  const region = new Uint8Array(width * height);
  for (let y = 1000; y < 1800; y++) {
    region.fill(255, y * width + 1500, y * width + 2700);
    for (let x = 1500; x < 2700; x++) image.data[(y * width + x) * 3] = 255 - image.data[(y * width + x) * 3]!;
  }
  const edit = { image, region, recipe, sourceId: original.id, originalBytes: bytes, originalName: 'coffee.jpg' };
  const id = store.addRgb('result', (await source.decode()).rgb, { edit }).id;
  const firstDifferenceMs = await time(() => store.difference(id));
  const repeats: number[] = [];
  for (let i = 0; i < 5; i++) repeats.push(await time(() => store.difference(id)));
  const planMs: number[] = [];
  for (let i = 0; i < 5; i++) planMs.push(await time(() => store.exportNotes(id, 'jpeg')));
  const exportMs: number[] = [];
  for (let i = 0; i < 3; i++)
    exportMs.push(await time(() => store.encodeForExport(id, { format: 'jpeg', metadata: true })));
  const stats = store.sources.stats();
  return {
    firstDifferenceMs: Math.round(firstDifferenceMs),
    cachedDifferenceMs: Math.round(median(repeats)),
    exportPlanMs: Math.round(median(planMs)),
    jpegExportMs: Math.round(median(exportMs)),
    sourceOpens: stats.opens,
    sourceDecodes: stats.decodes,
    cachedMB: Math.round(stats.bytes / 1e6),
  };
}
