import sharp from 'sharp';
import type { RgbImage } from '../../../shared/image/types';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

/** The shared photographs copied into the repository (see test/fixtures/images/README.md). */
export const imagesDir = join(import.meta.dirname, '..', '..', 'fixtures', 'images');

/** A shared photo as 8-bit sRGB RGB pixels, decoded with sharp alone (tests of shared/ stay independent of main/). */
export async function loadPhotoRgb(name: string): Promise<RgbImage> {
  const { data, info } = await sharp(join(imagesDir, name))
    .removeAlpha()
    .toColourspace('srgb')
    .raw()
    .toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, data: new Uint8Array(data) };
}

export function photo(name: 'astronaut' | 'chelsea' | 'coffee' | 'grass'): string {
  return join(imagesDir, `${name}.png`);
}

/** A fresh folder under .cache/test for one test file's outputs. */
export function outputDir(name: string): string {
  const dir = join(import.meta.dirname, '..', '..', '..', '.cache', 'test', name);
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** Index of the first differing byte, -1 when equal (vitest's deep equality is slow on megabyte arrays). */
export function firstDifference(a: Uint8Array, b: Uint8Array): number {
  if (a.length !== b.length) return Math.min(a.length, b.length);
  if (Buffer.from(a.buffer, a.byteOffset, a.length).equals(Buffer.from(b.buffer, b.byteOffset, b.length))) return -1;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return i;
  return -1;
}
