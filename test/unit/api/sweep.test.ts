import { describe, expect, it } from 'vitest';
import {
  axisLabel,
  editParamsSchema,
  maxSweepCells,
  parseSweepAxis,
  sweepAxisKeys,
  sweepCells,
  sweepStartRequestSchema,
} from '../../../shared/api';

describe('sweep axes', () => {
  it('parse lists, integer ranges, on/off and flags, each value checked against the declaration', () => {
    expect(parseSweepAxis('noise=0.1,0.3,0.5,0.8')).toEqual({ key: 'noise', values: [0.1, 0.3, 0.5, 0.8] });
    expect(parseSweepAxis('seed=1..4')).toEqual({ key: 'seed', values: [1, 2, 3, 4] });
    expect(parseSweepAxis('control-scale=0.5, 1')).toEqual({ key: 'controlScale', values: [0.5, 1] });
    expect(parseSweepAxis('gray=on,off')).toEqual({ key: 'gray', values: [true, false] });
    expect(parseSweepAxis('keep-lightness=off,on')).toEqual({ key: 'keepLightness', values: [false, true] });
    expect(parseSweepAxis('scheduler=ddim,euler')).toEqual({ key: 'scheduler', values: ['ddim', 'euler'] });
  });

  it('refuse bad axes in one line', () => {
    const error = (text: string): string => {
      try {
        parseSweepAxis(text);
      } catch (e) {
        return (e as Error).message;
      }
      return 'accepted';
    };
    expect(error('noise=0.1,1.5')).toBe('noise must be a number from 0 to 1, got 1.5');
    expect(error('noise=0.1,x')).toBe('noise must be a number from 0 to 1, got NaN');
    expect(error('steps=2.5')).toBe('steps must be an integer from 1 to 150, got 2.5');
    expect(error('size=300')).toBe('size must be an integer from 256 to 1024, a multiple of 64, got 300');
    expect(error('scheduler=ddim,magic')).toMatch(/^unknown scheduler "magic"; choose one of ddim/);
    expect(error('gray=maybe')).toBe('gray must be on or off, got "maybe"');
    expect(error('variations=1,2')).toMatch(/^"variations" is not a parameter a sweep can vary/);
    expect(error('colour=1')).toMatch(/^"colour" is not a parameter a sweep can vary/);
    expect(error('noise')).toBe('give the values of noise: noise=a,b,c');
    expect(error('seed=4..1')).toBe('the range 4..1 runs backwards');
    expect(error('seed=1..20')).toBe('the range 1..20 has 20 values; at most 8');
    expect(error('noise=0..1')).toBe('noise takes a list of values, not a range');
    expect(error('noise=0.1,0.1')).toBe('the noise axis repeats a value');
    for (const text of ['noise=0.1,1.5', 'variations=1,2', 'seed=4..1']) expect(error(text)).not.toContain('\n');
    expect(sweepAxisKeys).not.toContain('provider');
  });

  it('cells run row by row, labels name the values', () => {
    const cells = sweepCells([parseSweepAxis('noise=0.1,0.5'), parseSweepAxis('seed=1..2')]);
    expect(cells).toEqual([
      { noise: 0.1, seed: 1 },
      { noise: 0.1, seed: 2 },
      { noise: 0.5, seed: 1 },
      { noise: 0.5, seed: 2 },
    ]);
    expect(sweepCells([parseSweepAxis('gray=on,off')])).toEqual([{ gray: true }, { gray: false }]);
    expect(axisLabel('noise', 0.3)).toBe('σ 0.3');
    expect(axisLabel('gray', false)).toBe('gray off');
  });

  it('the API checks the axes, the grid size and the rules between parameters in each cell', () => {
    const request = (axes: unknown, params: Record<string, unknown> = {}) =>
      sweepStartRequestSchema.safeParse({
        imageId: 'img_1',
        roi: { maskId: 'img_2' },
        params: editParamsSchema.parse({ prompt: 'x', ...params }),
        axes,
      });
    const message = (r: ReturnType<typeof request>): string | undefined => r.error?.issues[0]?.message;
    expect(request([{ key: 'noise', values: [0.1, 0.3] }]).success).toBe(true);
    expect(message(request([]))).toBe('a sweep has one or two axes');
    expect(message(request([{ key: 'noise', values: [2] }]))).toBe('noise must be a number from 0 to 1, got 2');
    const big = [
      { key: 'noise', values: [0.1, 0.2, 0.3, 0.4, 0.5] },
      { key: 'seed', values: [1, 2, 3, 4, 5, 6, 7, 8] },
    ];
    expect(message(request(big))).toBe(`the grid has 40 cells; at most ${maxSweepCells}`);
    expect(message(request([{ key: 'cannyLow', values: [100, 300] }]))).toBe(
      'a cell of the grid breaks a rule: the Canny low threshold must not exceed the high one',
    );
    expect(request([{ key: 'provider', values: ['cpu'] }]).success).toBe(false);
  });
});
