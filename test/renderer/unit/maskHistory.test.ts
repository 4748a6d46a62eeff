import { describe, expect, it } from 'vitest';
import { stampDab } from '../../../renderer/src/canvas/brush';
import { MaskHistory } from '../../../renderer/src/editing/maskHistory';
import { createMask } from '../../../shared/image/types';

const brush = { radiusImagePx: 5, hardness: 1, mode: 'paint' } as const;

function paint(history: MaskHistory, mask: ReturnType<typeof createMask>, x: number, y: number): void {
  history.begin(mask);
  history.commit(mask, stampDab(mask, { x, y }, brush), 'brush');
}

describe('mask history', () => {
  it('undoes and redoes each change exactly', () => {
    const mask = createMask(64, 64);
    const history = new MaskHistory(1 << 20);
    const empty = mask.data.slice();
    paint(history, mask, 10, 10);
    const afterFirst = mask.data.slice();
    paint(history, mask, 40, 40);
    const afterSecond = mask.data.slice();
    expect(history.depth).toBe(2);
    expect(history.undo(mask)).not.toBeNull();
    expect(mask.data).toEqual(afterFirst);
    history.undo(mask);
    expect(mask.data).toEqual(empty);
    expect(history.undo(mask)).toBeNull();
    history.redo(mask);
    history.redo(mask);
    expect(mask.data).toEqual(afterSecond);
    expect(history.canRedo).toBe(false);
  });

  it('drops the redo branch on a new change and records nothing for a no-op', () => {
    const mask = createMask(32, 32);
    const history = new MaskHistory(1 << 20);
    paint(history, mask, 8, 8);
    history.undo(mask);
    paint(history, mask, 20, 20);
    expect(history.canRedo).toBe(false);
    history.begin(mask);
    expect(history.commit(mask, { x0: 0, y0: 0, x1: 32, y1: 32 }, 'nothing')).toBe(false);
    expect(history.depth).toBe(1);
  });

  it('stores only the changed rectangle and forgets the oldest changes past its budget', () => {
    const mask = createMask(1000, 1000);
    const history = new MaskHistory(2 * 11 * 11 * 3);
    paint(history, mask, 100, 100);
    expect(history.bytes).toBe(2 * 11 * 11);
    paint(history, mask, 300, 300);
    paint(history, mask, 500, 500);
    paint(history, mask, 700, 700);
    expect(history.depth).toBe(3);
    expect(history.bytes).toBeLessThanOrEqual(2 * 11 * 11 * 3);
    while (history.undo(mask));
    expect(mask.data[100 * 1000 + 100]).toBe(255);
    expect(mask.data[300 * 1000 + 300]).toBe(0);
  });

  it('keeps the latest change even when it alone exceeds the budget', () => {
    const mask = createMask(100, 100);
    const history = new MaskHistory(10);
    history.begin(mask);
    mask.data.fill(255);
    history.commit(mask, { x0: 0, y0: 0, x1: 100, y1: 100 }, 'fill');
    expect(history.canUndo).toBe(true);
    history.undo(mask);
    expect(mask.data.every((v) => v === 0)).toBe(true);
  });

  it('reports how many nonzero pixels each commit, undo and redo added', () => {
    const mask = createMask(20, 20);
    const history = new MaskHistory(1 << 20);
    mask.data.fill(9, 0, 20);
    history.begin(mask);
    mask.data.fill(0, 0, 5);
    mask.data.fill(7, 20, 50);
    expect(history.commit(mask, { x0: 0, y0: 0, x1: 20, y1: 3 }, 'edit')).toBe(true);
    expect(history.lastSetPxChange).toBe(30 - 5);
    history.undo(mask);
    expect(history.lastSetPxChange).toBe(-25);
    history.redo(mask);
    expect(history.lastSetPxChange).toBe(25);
    history.begin(mask);
    expect(history.commit(mask, { x0: 0, y0: 0, x1: 20, y1: 20 }, 'nothing')).toBe(false);
    expect(history.lastSetPxChange).toBe(0);
  });
});
