import { describe, expect, it } from 'vitest';
import { splitFraction } from '../../../renderer/src/compare/compareMath';

describe('compare maths', () => {
  it.each([
    { x: 150, left: 100, width: 200, expected: 0.25 },
    { x: 50, left: 100, width: 200, expected: 0 },
    { x: 400, left: 100, width: 200, expected: 1 },
    { x: 10, left: 0, width: 0, expected: 0.5 },
  ])('split at $x over [$left, +$width] → $expected', ({ x, left, width, expected }) => {
    expect(splitFraction(x, left, width)).toBe(expected);
  });
});
