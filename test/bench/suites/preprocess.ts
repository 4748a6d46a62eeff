import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { openImage } from '../../../main/image/decode';
import { preprocess } from '../../../main/image/preprocess';
import { measure, type BenchSuite } from '../suite';

const imagesDir = join(import.meta.dirname, '..', '..', 'fixtures', 'images');
const cacheDir = join(import.meta.dirname, '..', '..', '..', '.cache', 'bench');

/**
 * The three inputs: JPEG photos made from the shared test photos (generated once, never committed). Small inputs get
 * more warm-up runs: V8 optimises the pixel loops only after several calls.
 */
const inputs = [
  { key: '512', photo: 'astronaut.png', width: 512, height: 512, warmup: 20, runs: 31 },
  { key: '2048', photo: 'astronaut.png', width: 2048, height: 2048, warmup: 10, runs: 15 },
  // 4240×2832 = 12.0 MP, the coffee photo's 3:2 aspect.
  { key: '12mp', photo: 'coffee.png', width: 4240, height: 2832, warmup: 6, runs: 11 },
] as const;

async function ensureInput(photo: string, width: number, height: number): Promise<string> {
  mkdirSync(cacheDir, { recursive: true });
  const path = join(cacheDir, `${photo.replace('.png', '')}-${width}x${height}.jpg`);
  if (!existsSync(path)) {
    await sharp(join(imagesDir, photo))
      .resize(width, height, { fit: 'fill', kernel: 'lanczos3' })
      .jpeg({ quality: 90 })
      .toFile(path);
  }
  return path;
}

/** Median ms of decode → working frame → IIR (σ = 0.5, whole image) → Canny → control tensor, per input size. */
export const preprocessSuite: BenchSuite = {
  name: 'preprocess',
  summary: 'decode → working frame → IIR → Canny → control for a 512², a 2048² and a 12 MP JPEG (median ms)',
  async run(context) {
    const result: Record<string, number> = {};
    for (const input of inputs) {
      const path = await ensureInput(input.photo, input.width, input.height);
      let seed = 0;
      const { wallMs, cpuMs } = await measure(
        async () => {
          const source = await openImage(path);
          await preprocess(source, { noise: 0.5, seed: seed++ });
        },
        input.runs,
        input.warmup,
      );
      result[input.key] = wallMs;
      context.log(`preprocess ${input.key}: ${wallMs} ms (CPU ${cpuMs} ms)`);
    }
    return result;
  },
};
