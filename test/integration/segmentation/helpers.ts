import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { decodeImage } from '../../../main/image/decode';
import type { Mask, Rect, RgbImage } from '../../../shared/image/types';
import { SEGMENTATION_FIXTURE_FOLDERS, writeSegmentationFixtures } from '../../fixtures/models/segmentation';
import { cacheDir } from '../../setup/global';

/** Writes the segmentation fixture models into a fresh folder of the test cache and returns their paths. */
export function segmentationFixtures(): {
  root: string;
  groundingDir: string;
  samDir: string;
  samBoxesDir: string;
  samOnePointDir: string;
} {
  const root = mkdtempSync(join(cacheDir, 'segmentation-'));
  writeSegmentationFixtures(root);
  return {
    root,
    groundingDir: join(root, SEGMENTATION_FIXTURE_FOLDERS.groundingDino),
    samDir: join(root, SEGMENTATION_FIXTURE_FOLDERS.sam),
    samBoxesDir: join(root, SEGMENTATION_FIXTURE_FOLDERS.samBoxes),
    samOnePointDir: join(root, SEGMENTATION_FIXTURE_FOLDERS.samOnePoint),
  };
}

/** Removes a folder made by {@link segmentationFixtures}. */
export function removeFixtures(root: string): void {
  rmSync(root, { recursive: true, force: true });
}

/** A shared test photograph (test/fixtures/images). */
export function photoPath(name: 'astronaut' | 'chelsea' | 'coffee'): string {
  return join(import.meta.dirname, '..', '..', 'fixtures', 'images', `${name}.png`);
}

export const pureRed = [255, 0, 0] as const;
export const pureGreen = [0, 255, 0] as const;

/** Paints solid rectangles (x1/y1 exclusive) into a copy of `image`. */
export function paint(
  image: RgbImage,
  marks: readonly { rect: Rect; rgb: readonly [number, number, number] }[],
): RgbImage {
  const data = Uint8Array.from(image.data);
  for (const { rect, rgb } of marks) {
    for (let y = rect.y0; y < rect.y1; y++) {
      for (let x = rect.x0; x < rect.x1; x++) data.set(rgb, (y * image.width + x) * 3);
    }
  }
  return { width: image.width, height: image.height, data };
}

/** The photo decoded the project's way (EXIF orientation applied, 8-bit sRGB). */
export async function loadPhoto(name: 'astronaut' | 'chelsea' | 'coffee'): Promise<RgbImage> {
  return (await decodeImage(photoPath(name))).rgb;
}

/** A mask that is 255 inside `rect`. */
export function rectMask(width: number, height: number, rect: Rect): Mask {
  const data = new Uint8Array(width * height);
  for (let y = rect.y0; y < rect.y1; y++) data.fill(255, y * width + rect.x0, y * width + rect.x1);
  return { width, height, data };
}

/** Intersection over union of the set pixels (≥ 128) of two masks of one size. */
export function maskIou(a: Mask, b: Mask): number {
  let inter = 0;
  let union = 0;
  for (let i = 0; i < a.data.length; i++) {
    const ina = a.data[i]! >= 128;
    const inb = b.data[i]! >= 128;
    if (ina && inb) inter++;
    if (ina || inb) union++;
  }
  return union === 0 ? 1 : inter / union;
}

/** The mask value at (x, y). */
export function at(mask: Mask, x: number, y: number): number {
  return mask.data[y * mask.width + x]!;
}
