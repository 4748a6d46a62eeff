import { describe, expect, it } from 'vitest';
import {
  boxSearch,
  clickSearch,
  instancesAfter,
  instanceSearch,
  textSearch,
  type RoiInstance,
} from '../../../renderer/src/editing/roiSearch';
import type { ImageId } from '../../../shared/api';

const at = (x: number, isPositive = true) => ({ xImagePx: x, yImagePx: 1, isPositive });
const box = { x0: 1, y0: 2, x1: 3, y1: 4 };
const cup: RoiInstance = { boxImagePx: box, phrase: 'cup', score: 0.8, isPicked: true };
const saucer: RoiInstance = {
  boxImagePx: { x0: 5, y0: 5, x1: 9, y1: 9 },
  phrase: 'saucer',
  score: 0.6,
  isPicked: false,
};
const segmentResult = (phrase: string | null) => ({
  kind: 'segment' as const,
  maskId: 'img_m' as ImageId,
  instances: [{ x0: 0, y0: 0, x1: 2, y1: 2, phrase, score: phrase ? 0.7 : null }],
  message: null,
});

describe('what each region gesture asks the segmenter', () => {
  it('searches trimmed text afresh (clicks forgotten, mask replaces), and nothing for blank text', () => {
    expect(textSearch('  cup ')).toEqual({ request: { text: 'cup' }, merge: 'replace', clicks: [], instance: null });
    expect(textSearch('   ')).toBeNull();
  });

  it('sends every click so far and adds; a lone exclude click finds that object and subtracts it', () => {
    const first = clickSearch([], at(1));
    expect(first).toMatchObject({ request: { points: [at(1)] }, merge: 'add', clicks: [at(1)] });
    const second = clickSearch(first.clicks, at(5, false));
    expect(second).toMatchObject({ request: { points: [at(1), at(5, false)] }, merge: 'add' });
    const lone = clickSearch([], at(3, false));
    expect(lone).toEqual({ request: { points: [at(3)] }, merge: 'subtract', clicks: [at(3, false)], instance: null });
  });

  it('adds a drawn box and forgets the clicks; toggles an instance by its box, keeping the clicks', () => {
    expect(boxSearch(box)).toEqual({ request: { boxImagePx: box }, merge: 'add', clicks: [], instance: null });
    const clicks = [at(1)];
    expect(instanceSearch([cup, saucer], clicks, 0)).toEqual({
      request: { boxImagePx: box },
      merge: 'subtract',
      clicks,
      instance: 0,
    });
    expect(instanceSearch([cup, saucer], clicks, 1)).toMatchObject({ merge: 'add', instance: 1 });
    expect(instanceSearch([cup], clicks, 4)).toBeNull();
  });

  it('flips the pending instance, lists what a text search found, and keeps the list after a click', () => {
    expect(instancesAfter([cup, saucer], 1, segmentResult(null))).toEqual([cup, { ...saucer, isPicked: true }]);
    expect(instancesAfter([cup], null, segmentResult('bowl'))).toEqual([
      { boxImagePx: { x0: 0, y0: 0, x1: 2, y1: 2 }, phrase: 'bowl', score: 0.7, isPicked: true },
    ]);
    expect(instancesAfter([cup], null, segmentResult(null))).toEqual([cup]);
  });
});
