import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeImage } from '../../../main/image/decode';
import { combineInstances, SegmentationEngine, type SegmentationModels } from '../../../main/engine/segmentation';
import { isIirError } from '../../../shared/errors';
import { maskArea } from '../../../shared/image/mask';
import type { Rect, RgbImage } from '../../../shared/image/types';
import { SAM_POINT_RADIUS } from '../../fixtures/models/segmentation/sam';
import { sigmoid, GROUNDING_TOKEN_LOGITS } from '../../fixtures/models/segmentation/groundingDino';
import {
  at,
  loadPhoto,
  maskIou,
  paint,
  pureGreen,
  pureRed,
  rectMask,
  removeFixtures,
  segmentationFixtures,
} from './helpers';

// chelsea.png is 451×300: SAM resizes it to 1024×681, so one model pixel is 451/1024 image pixels.
const redRect: Rect = { x0: 60, y0: 40, x1: 180, y1: 150 };
const greenRect: Rect = { x0: 260, y0: 170, x1: 400, y1: 260 };
const diskRadiusPx = (SAM_POINT_RADIUS * 451) / 1024;

let fixtures: ReturnType<typeof segmentationFixtures>;
let models: SegmentationModels;
let engine: SegmentationEngine;
let photo: RgbImage;

beforeAll(async () => {
  fixtures = segmentationFixtures();
  models = { groundingDir: fixtures.groundingDir, samDir: fixtures.samDir, providers: { default: 'cpu' } };
  engine = new SegmentationEngine();
  const chelsea = await loadPhoto('chelsea');
  photo = paint(chelsea, [
    { rect: redRect, rgb: pureRed },
    { rect: greenRect, rgb: pureGreen },
  ]);
});

afterAll(async () => {
  await engine.dispose();
  removeFixtures(fixtures.root);
});

function expectBoxNear(box: Rect, expected: Rect, tolerancePx: number): void {
  expect(Math.abs(box.x0 - expected.x0)).toBeLessThanOrEqual(tolerancePx);
  expect(Math.abs(box.y0 - expected.y0)).toBeLessThanOrEqual(tolerancePx);
  expect(Math.abs(box.x1 - expected.x1)).toBeLessThanOrEqual(tolerancePx);
  expect(Math.abs(box.y1 - expected.y1)).toBeLessThanOrEqual(tolerancePx);
}

describe('text → boxes → mask', () => {
  it('finds the red square on a non-square photo and masks it in original pixels', async () => {
    const result = await engine.segment(photo, models, { regionText: 'red' });
    expect(result.message).toBeNull();
    expect(result.instances).toHaveLength(1);
    const [instance] = result.instances;
    expect(instance!.phrase).toBe('red');
    expect(instance!.score).toBeCloseTo(sigmoid(GROUNDING_TOKEN_LOGITS.red.red!), 4);
    expectBoxNear(instance!.boxImagePx, redRect, 1);
    expect(result.mask.width).toBe(451);
    expect(result.mask.height).toBe(300);
    expect(maskIou(result.mask, rectMask(451, 300, redRect))).toBeGreaterThan(0.97);
    // Inside and just outside every edge.
    expect(at(result.mask, redRect.x0 + 2, redRect.y0 + 2)).toBe(255);
    expect(at(result.mask, redRect.x1 - 3, redRect.y1 - 3)).toBe(255);
    expect(at(result.mask, redRect.x0 - 3, 90)).toBe(0);
    expect(at(result.mask, redRect.x1 + 2, 90)).toBe(0);
    expect(at(result.mask, 120, redRect.y0 - 3)).toBe(0);
    expect(at(result.mask, 120, redRect.y1 + 2)).toBe(0);
    expect(instance!.areaPx).toBe(maskArea(instance!.mask));
    expect(Math.abs(instance!.areaPx - 120 * 110) / (120 * 110)).toBeLessThan(0.03);
  });

  it('runs one pass per phrase and keeps one box per object across phrases (NMS)', async () => {
    const both = await engine.segment(photo, models, { regionText: 'Red, green' });
    expect(maskIou(combineInstances(both, [1]), rectMask(451, 300, greenRect))).toBeGreaterThan(0.97);
    expect(maskArea(combineInstances(both, []))).toBe(0);
    expect(both.instances.map((i) => i.phrase)).toEqual(['red', 'green']);
    expectBoxNear(both.instances.find((i) => i.phrase === 'green')!.boxImagePx, greenRect, 1);
    const union = rectMask(451, 300, redRect);
    const green = rectMask(451, 300, greenRect);
    for (let i = 0; i < union.data.length; i++) union.data[i] = Math.max(union.data[i]!, green.data[i]!);
    expect(maskIou(both.mask, union)).toBeGreaterThan(0.97);

    // "red" and "apple" find the same box: NMS keeps the better-scored one.
    const synonyms = await engine.segment(photo, models, { regionText: 'apple and red.' });
    expect(synonyms.instances).toHaveLength(1);
    expect(synonyms.instances[0]!.phrase).toBe('red');
    expect(synonyms.instances[0]!.score).toBeCloseTo(sigmoid(2), 4);
  });

  it('reports nothing found as a result with the best score', async () => {
    const result = await engine.segment(photo, models, { regionText: 'cat' });
    expect(result.instances).toEqual([]);
    expect(result.message).toBe('no region found for "cat" (best score 0.12 < 0.35)');
    expect(maskArea(result.mask)).toBe(0);
    const strict = await engine.segment(photo, models, { regionText: 'faint', boxThreshold: 0.5 });
    expect(strict.message).toBe('no region found for "faint" (best score 0.45 < 0.5)');
    const lenient = await engine.segment(photo, models, { regionText: 'faint' });
    expect(lenient.instances).toHaveLength(1);
    const wordy = await engine.segment(photo, models, { regionText: 'faint', textThreshold: 0.5 });
    expect(wordy.instances).toHaveLength(0);
    expect(wordy.message).toContain('text threshold 0.5');
  });

  it('reads an EXIF-rotated file in display orientation', async () => {
    // Stored rotated 90° counter-clockwise with orientation 6: viewers (and decodeImage) show the painted photo.
    const path = join(fixtures.root, 'rotated.jpg');
    const stored = await sharp(photo.data, { raw: { width: 451, height: 300, channels: 3 } })
      .rotate(270)
      .jpeg({ quality: 100, chromaSubsampling: '4:4:4' })
      .withMetadata({ orientation: 6 })
      .toBuffer();
    writeFileSync(path, stored);
    const decoded = await decodeImage(path);
    expect([decoded.width, decoded.height]).toEqual([451, 300]);
    const result = await engine.segment(decoded.rgb, models, { regionText: 'red' });
    expect(result.instances).toHaveLength(1);
    expectBoxNear(result.instances[0]!.boxImagePx, redRect, 3);
    expect(maskIou(result.mask, rectMask(451, 300, redRect))).toBeGreaterThan(0.93);
  });
});

describe('boxes and clicks', () => {
  const box: Rect = { x0: 100, y0: 60, x1: 300, y1: 220 };

  it('masks a box prompt, whether the decoder takes boxes or corner points', async () => {
    const corners = await engine.segment(photo, models, { boxImagePx: box });
    expect(corners.instances[0]!.phrase).toBeNull();
    expect(maskIou(corners.mask, rectMask(451, 300, box))).toBeGreaterThan(0.98);
    const withBoxes = await engine.segment(photo, { ...models, samDir: fixtures.samBoxesDir }, { boxImagePx: box });
    expect(maskIou(withBoxes.mask, corners.mask)).toBeGreaterThan(0.995);
    // A box reaching past the image is clipped to it.
    const past = await engine.segment(photo, models, { boxImagePx: { x0: 400, y0: -20, x1: 600, y1: 100 } });
    expect(past.instances[0]!.boxImagePx).toEqual({ x0: 400, y0: 0, x1: 451, y1: 100 });
    expect(maskIou(past.mask, rectMask(451, 300, { x0: 400, y0: 0, x1: 451, y1: 100 }))).toBeGreaterThan(0.95);
  });

  it('adapts to an export that takes exactly one point, and says so when a prompt needs more', async () => {
    const onePoint = { ...models, samDir: fixtures.samOnePointDir };
    const click = await engine.segment(photo, onePoint, {
      points: [{ xImagePx: 220, yImagePx: 150, isPositive: true }],
    });
    expect(at(click.mask, 220, 150)).toBe(255);
    const error = await engine.segment(photo, onePoint, { boxImagePx: box }).then(
      () => null,
      (e: unknown) => e as Error,
    );
    expect(isIirError(error)).toBe(true);
    expect(error!.message).toMatch(/takes 1 point\(s\) per prompt, not 2 \(a box counts as 2/);
  });

  it('masks a positive click as the fixture disk, picking the best predicted IoU', async () => {
    const result = await engine.segment(photo, models, {
      points: [{ xImagePx: 220, yImagePx: 150, isPositive: true }],
    });
    expect(result.instances[0]!.predictedIou).toBeCloseTo(0.95, 2);
    const expectedArea = Math.PI * diskRadiusPx ** 2;
    expect(Math.abs(maskArea(result.mask) - expectedArea) / expectedArea).toBeLessThan(0.03);
    expect(at(result.mask, 220 + Math.floor(diskRadiusPx) - 1, 150)).toBe(255);
    expect(at(result.mask, 220 + Math.ceil(diskRadiusPx) + 1, 150)).toBe(0);
  });

  it('removes area with a negative point and adds it with a positive one', async () => {
    const plain = await engine.segment(photo, models, { boxImagePx: box });
    const cut = await engine.segment(photo, models, {
      boxImagePx: box,
      points: [{ xImagePx: 200, yImagePx: 140, isPositive: false }],
    });
    const diskArea = Math.PI * diskRadiusPx ** 2;
    const removed = maskArea(plain.mask) - maskArea(cut.mask);
    expect(Math.abs(removed - diskArea) / diskArea).toBeLessThan(0.05);
    expect(at(cut.mask, 200, 140)).toBe(0);
    expect(at(cut.mask, 110, 70)).toBe(255);

    const refined = await engine.segment(photo, models, {
      regionText: 'red',
      points: [{ xImagePx: 240, yImagePx: 100, isPositive: true }],
    });
    expect(at(refined.mask, 240, 100)).toBe(255);
    expect(at(refined.mask, 120, 90)).toBe(255);
    const plainRed = await engine.segment(photo, models, { regionText: 'red' });
    expect(at(plainRed.mask, 240, 100)).toBe(0);
  });

  it('computes the image embedding once per image: a second click only runs the decoder', async () => {
    const local = new SegmentationEngine();
    try {
      const first = await local.segment(photo, models, { points: [{ xImagePx: 50, yImagePx: 50, isPositive: true }] });
      expect(first.timings.isEmbeddingCached).toBe(false);
      expect(await local.encoderRuns(models.samDir)).toBe(1);
      const second = await local.segment(photo, models, {
        points: [
          { xImagePx: 50, yImagePx: 50, isPositive: true },
          { xImagePx: 300, yImagePx: 200, isPositive: true },
        ],
      });
      const third = await local.segment(photo, models, { boxImagePx: box });
      expect(second.timings.isEmbeddingCached).toBe(true);
      expect(third.timings.isEmbeddingCached).toBe(true);
      expect(await local.encoderRuns(models.samDir)).toBe(1);
      expect(at(second.mask, 300, 200)).toBe(255);
      // Another image (a copy of the pixels is another object) needs its own embedding.
      await local.segment({ ...photo, data: Uint8Array.from(photo.data) }, models, { boxImagePx: box });
      expect(await local.encoderRuns(models.samDir)).toBe(2);
      // An explicit key is shared across objects.
      await local.segment(photo, models, { boxImagePx: box, imageKey: 'doc-1' });
      await local.segment({ ...photo }, models, { boxImagePx: box, imageKey: 'doc-1' });
      expect(await local.encoderRuns(models.samDir)).toBe(3);
    } finally {
      await local.dispose();
    }
  });

  it('bounds the embedding cache by bytes: the least recently used image is computed again', async () => {
    // One SAM embedding (two [1,256,64,64] float32 tensors) is 8 MiB: this cache holds one image.
    const small = new SegmentationEngine(9 * 1024 * 1024);
    try {
      const click = { points: [{ xImagePx: 50, yImagePx: 50, isPositive: true }] };
      await small.segment(photo, models, { ...click, imageKey: 'a' });
      await small.segment(photo, models, { ...click, imageKey: 'a' });
      expect(await small.encoderRuns(models.samDir)).toBe(1);
      await small.segment(photo, models, { ...click, imageKey: 'b' });
      await small.segment(photo, models, { ...click, imageKey: 'a' });
      expect(await small.encoderRuns(models.samDir)).toBe(3);
    } finally {
      await small.dispose();
    }
  });

  it('stops at a cancelled signal with a cancelled error', async () => {
    const error = await engine.segment(photo, models, { regionText: 'red', signal: { aborted: true } }).then(
      () => null,
      (e: unknown) => e as { code?: string },
    );
    expect(error?.code).toBe('cancelled');
  });

  it('post-processes the union: dilate grows the mask by the given pixels', async () => {
    const plain = await engine.segment(photo, models, { boxImagePx: box });
    const grown = await engine.segment(photo, models, { boxImagePx: box, postprocess: { dilatePx: 5 } });
    expect(at(grown.mask, box.x1 + 3, 140)).toBe(255);
    expect(at(plain.mask, box.x1 + 3, 140)).toBe(0);
    expect(maskArea(grown.mask)).toBeGreaterThan(maskArea(plain.mask) + 2 * 5 * (200 + 160));
    // Instances keep their own, unprocessed masks.
    expect(grown.instances[0]!.areaPx).toBe(maskArea(plain.mask));
  });
});

describe('bad arguments', () => {
  async function failure(promise: Promise<unknown>): Promise<string> {
    try {
      await promise;
    } catch (error) {
      expect(isIirError(error)).toBe(true);
      expect((error as Error).message).not.toContain('\n');
      return (error as Error).message;
    }
    throw new Error('expected a failure');
  }

  it('refuses empty text, points outside the image and bad boxes with one line', async () => {
    expect(await failure(engine.segment(photo, models, { regionText: ' . , and ' }))).toMatch(/region text is empty/);
    expect(
      await failure(engine.segment(photo, models, { points: [{ xImagePx: 451, yImagePx: 10, isPositive: true }] })),
    ).toBe('point 451,10 lies outside the 451×300 image');
    expect(await failure(engine.segment(photo, models, { boxImagePx: { x0: 50, y0: 50, x1: 40, y1: 80 } }))).toMatch(
      /is empty/,
    );
    expect(await failure(engine.segment(photo, models, { boxImagePx: { x0: 500, y0: 0, x1: 600, y1: 80 } }))).toMatch(
      /outside the 451×300 image/,
    );
    expect(await failure(engine.segment(photo, models, {}))).toMatch(/nothing to segment/);
    expect(await failure(engine.segment(photo, models, { regionText: 'red', boxThreshold: 1.5 }))).toMatch(
      /box threshold/,
    );
    expect(await failure(engine.segment(photo, { samDir: fixtures.samDir }, { regionText: 'red' }))).toMatch(
      /GroundingDINO/,
    );
    expect(
      await failure(
        engine.segment(
          photo,
          { ...models, samDir: join(fixtures.root, 'nowhere') },
          { boxImagePx: { x0: 1, y0: 1, x1: 9, y1: 9 } },
        ),
      ),
    ).toMatch(/missing/);
  });
});
