import { describe, expect, it } from 'vitest';
import { boxIou, nonMaxSuppression, parseBox, validateBox } from '../../../main/engine/segmentation/boxes';
import { groundingPrompt, splitPhrases } from '../../../main/engine/segmentation/phrases';
import { parsePoint, validatePoint } from '../../../main/engine/segmentation/points';
import { isIirError } from '../../../shared/errors';

function message(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    expect(isIirError(error)).toBe(true);
    return (error as Error).message;
  }
  throw new Error('expected a failure');
}

describe('splitPhrases', () => {
  it('splits on ".", "," and the word "and", lowercases and drops duplicates', () => {
    expect(splitPhrases('Cat. the Red sofa, dog and  a lamp')).toEqual(['cat', 'the red sofa', 'dog', 'a lamp']);
    expect(splitPhrases('sandwich and candle')).toEqual(['sandwich', 'candle']);
    expect(splitPhrases('Cat, cat.')).toEqual(['cat']);
    expect(groundingPrompt('red sofa')).toBe('red sofa.');
  });

  it('refuses text without a phrase', () => {
    expect(message(() => splitPhrases(' . , and '))).toMatch(/^region text is empty/);
    expect(message(() => splitPhrases(''))).toMatch(/^region text is empty/);
  });
});

describe('boxes', () => {
  const a = { x0: 0, y0: 0, x1: 10, y1: 10 };

  it('computes IoU', () => {
    expect(boxIou(a, a)).toBe(1);
    expect(boxIou(a, { x0: 5, y0: 0, x1: 15, y1: 10 })).toBeCloseTo(50 / 150, 6);
    expect(boxIou(a, { x0: 10, y0: 0, x1: 20, y1: 10 })).toBe(0);
  });

  it('suppresses overlapping boxes whatever their phrase, keeping the best score', () => {
    const kept = nonMaxSuppression(
      [
        { boxImagePx: a, phrase: 'cat', score: 0.5 },
        { boxImagePx: { x0: 0, y0: 0, x1: 10, y1: 11 }, phrase: 'kitten', score: 0.7 },
        { boxImagePx: { x0: 0, y0: 0, x1: 10, y1: 14 }, phrase: 'cat', score: 0.6 },
      ],
      0.8,
    );
    // IoU(10×11, 10×10) = 0.91 > 0.8 is dropped; IoU(10×11, 10×14) = 0.79 is kept.
    expect(kept.map((d) => [d.phrase, d.score])).toEqual([
      ['kitten', 0.7],
      ['cat', 0.6],
    ]);
  });

  it('parses and validates boxes with one-line messages', () => {
    expect(parseBox('10, 20,30.5,40')).toEqual({ x0: 10, y0: 20, x1: 30.5, y1: 40 });
    expect(message(() => parseBox('10,20,30'))).toBe('malformed box "10,20,30": expected x0,y0,x1,y1 in image pixels');
    expect(message(() => parseBox('a,b,c,d'))).toMatch(/^malformed box/);
    expect(message(() => parseBox('10,20,,40'))).toMatch(/^malformed box/);
    expect(message(() => parseBox('30,20,10,40'))).toMatch(/x0 < x1/);
    expect(message(() => validateBox({ x0: 100, y0: 0, x1: 120, y1: 5 }, 100, 50))).toBe(
      'box 100,0,120,5 lies outside the 100×50 image',
    );
    expect(() => validateBox({ x0: -5, y0: -5, x1: 20, y1: 20 }, 100, 50)).not.toThrow();
  });
});

describe('points', () => {
  it('parses x,y,label and checks the bounds', () => {
    expect(parsePoint('12,34,1')).toEqual({ xImagePx: 12, yImagePx: 34, isPositive: true });
    expect(parsePoint('12.5,34,0')).toEqual({ xImagePx: 12.5, yImagePx: 34, isPositive: false });
    expect(message(() => parsePoint('12,34'))).toMatch(/^malformed point "12,34"/);
    expect(message(() => parsePoint('12,34,2'))).toMatch(/label must be 1 or 0/);
    expect(message(() => validatePoint({ xImagePx: -1, yImagePx: 0, isPositive: true }, 10, 10))).toBe(
      'point -1,0 lies outside the 10×10 image',
    );
    expect(() => validatePoint({ xImagePx: 9.5, yImagePx: 0, isPositive: true }, 10, 10)).not.toThrow();
  });
});
