import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import sharp from 'sharp';
import { ImageStore, defaultImageBudgetBytes } from '../../../main/services/images';
import { cacheDir } from '../../setup/global';
import type { BenchSuite } from '../suite';

const opens = 20;
const mib = (bytes: number): number => Math.round(bytes / 1024 / 1024);

/** A 12 MP JPEG (4000×3000), made once by upscaling a shared fixture photo. */
async function twelveMegapixelPhoto(): Promise<string> {
  const dir = join(cacheDir, 'bench-images');
  const path = join(dir, 'astronaut-12mp.jpg');
  if (existsSync(path)) return path;
  mkdirSync(dir, { recursive: true });
  const fixture = join(import.meta.dirname, '..', '..', 'fixtures', 'images', 'astronaut.png');
  await sharp(fixture).resize(4000, 3000, { fit: 'fill' }).jpeg({ quality: 90 }).toFile(path);
  return path;
}

/** A full garbage collection, so RSS shows what is held rather than what is not collected yet. */
const collect: () => void = (() => {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
})();

function rssMiB(): number {
  collect();
  return mib(process.memoryUsage().rss);
}

/**
 * Opens the photo `opens` times as the app does (decode, then the PNG the page fetches), and samples RSS after each.
 * `release`: the page releases the photo it replaces (what the renderer does now).
 */
async function scenario(photo: string, store: ImageStore, release: boolean) {
  const rss: number[] = [];
  let previous: string | null = null;
  for (let i = 0; i < opens; i++) {
    const info = await store.open({ path: photo });
    await store.png(info.id);
    if (release && previous) store.release(previous as never);
    previous = info.id;
    rss.push(rssMiB());
  }
  const usage = store.usage();
  store.clear();
  return {
    rssFirstMiB: rss[0],
    rssLastMiB: rss.at(-1),
    rssMaxMiB: Math.max(...rss),
    rssMiB: rss,
    heldMiB: mib(usage.bytes),
    heldImages: usage.count,
  };
}

/** RSS over repeated opens of a 12 MP photo: with the renderer's releases, with only the byte budget, and unbounded. */
export const imagesSuite: BenchSuite = {
  name: 'images',
  summary: `RSS over ${opens} opens of a 12 MP photo (released, LRU budget only, unbounded as before)`,
  async run(context) {
    const photo = await twelveMegapixelPhoto();
    const baseline = rssMiB();
    context.log(`12 MP photo at ${photo}; RSS before: ${baseline} MiB`);
    context.log('released: the page releases the photo it replaces');
    const released = await scenario(photo, new ImageStore(), true);
    context.log(`budget: nothing released, the store's ${mib(defaultImageBudgetBytes)} MiB budget bounds it`);
    const budget = await scenario(photo, new ImageStore(), false);
    context.log('unbounded: nothing released and no budget (the behaviour before issue 11 item 3)');
    const unbounded = await scenario(photo, new ImageStore(Number.POSITIVE_INFINITY), false);
    return {
      opens,
      photo: { width: 4000, height: 3000 },
      budgetMiB: mib(defaultImageBudgetBytes),
      rssBaselineMiB: baseline,
      released,
      budget,
      unbounded,
    };
  },
};
