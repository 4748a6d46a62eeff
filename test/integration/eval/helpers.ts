import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import type { Mask, RgbImage } from '../../../shared/image/types';
import { cacheDir } from '../../setup/global';

export const python = '/usr/bin/python3';
const oracle = join(import.meta.dirname, 'oracle.py');

/**
 * Why the Python oracle cannot run here, or null when it can: Debian's python3 with numpy and OpenCV, and for the
 * model formulas python3-onnx (to read the fixture networks' weights).
 */
export function oracleMissing(withOnnx = false): string | null {
  const packages = withOnnx ? 'python3-opencv python3-onnx' : 'python3-opencv';
  if (!existsSync(python)) return `${python} is missing (apt-get install ${packages})`;
  const probe = spawnSync(python, ['-c', `import numpy, cv2${withOnnx ? ', onnx.numpy_helper' : ''}`]);
  return probe.status === 0 ? null : `${packages} is not installed (apt-get install ${packages})`;
}

/** Runs oracle.py and parses its JSON. */
export function runOracle(args: readonly string[]): Record<string, number | null> {
  const run = spawnSync(python, [oracle, ...args], { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`oracle.py failed: ${run.stderr}`);
  return JSON.parse(run.stdout) as Record<string, number | null>;
}

export function tempDir(prefix: string): string {
  return mkdtempSync(join(cacheDir, prefix));
}

/** A photo-like test image: a crop of a fixture photo (decoded without a profile). */
export async function photoCrop(width: number, height: number, left = 40, top = 30): Promise<RgbImage> {
  const path = join(import.meta.dirname, '..', '..', 'fixtures', 'images', 'chelsea.png');
  const { data, info } = await sharp(path)
    .removeAlpha()
    .extract({ left, top, width, height })
    .raw()
    .toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, data: new Uint8Array(data) };
}

/** A rectangle mask. */
export function rectMask(width: number, height: number, x0: number, y0: number, x1: number, y1: number): Mask {
  const data = new Uint8Array(width * height);
  for (let y = y0; y < y1; y++) data.fill(255, y * width + x0, y * width + x1);
  return { width, height, data };
}

/** A copy of `image` changed inside `mask` (inverted) and, when `outside` > 0, by ±outside on a patch outside. */
export function editedCopy(image: RgbImage, mask: Mask, outside = 0): RgbImage {
  const data = image.data.slice();
  for (let i = 0; i < mask.data.length; i++) {
    if (mask.data[i]! >= 128) for (let c = 0; c < 3; c++) data[i * 3 + c] = 255 - data[i * 3 + c]!;
  }
  if (outside > 0) {
    for (let y = 2; y < 14; y++) {
      for (let x = 2; x < 20; x++) {
        const k = (y * image.width + x) * 3;
        for (let c = 0; c < 3; c++)
          data[k + c] = Math.max(0, Math.min(255, data[k + c]! + (((x * 7 + y * 3 + c) % 5) - 2) * outside));
      }
    }
  }
  return { width: image.width, height: image.height, data };
}

export async function writePng(path: string, image: RgbImage | Mask): Promise<string> {
  const channels = image.data.length === image.width * image.height ? 1 : 3;
  await sharp(image.data, { raw: { width: image.width, height: image.height, channels } })
    .png()
    .toFile(path);
  return path;
}
