import { describe, expect, it } from 'vitest';
import { imageRectToCanvasPx, placePromptBar } from '../../../renderer/src/canvas/promptBarPlacement';

const bar = { width: 400, height: 40 };
const viewport = { width: 1000, height: 700 };

function covers(at: { x: number; y: number }, selection: { x0: number; y0: number; x1: number; y1: number }) {
  return at.x < selection.x1 && selection.x0 < at.x + bar.width && at.y < selection.y1 && selection.y0 < at.y + 40;
}

describe('prompt bar placement', () => {
  it('goes below the selection, centred, when there is room', () => {
    const selection = { x0: 300, y0: 200, x1: 500, y1: 400 };
    expect(placePromptBar(selection, bar, viewport)).toEqual({ side: 'below', x: 200, y: 412 });
  });

  it('goes above, then beside, never over the selection while it fits somewhere', () => {
    const low = { x0: 300, y0: 300, x1: 500, y1: 680 };
    expect(placePromptBar(low, bar, viewport)?.side).toBe('above');
    const tall = { x0: 100, y0: 20, x1: 400, y1: 690 };
    const beside = placePromptBar(tall, bar, viewport)!;
    expect(beside.side).toBe('right');
    expect(covers(beside, tall)).toBe(false);
    const right = { x0: 560, y0: 20, x1: 990, y1: 690 };
    expect(placePromptBar(right, bar, viewport)?.side).toBe('left');
  });

  it('stays inside the view near its edges', () => {
    const corner = { x0: 0, y0: 0, x1: 50, y1: 50 };
    const at = placePromptBar(corner, bar, viewport)!;
    expect(at).toEqual({ side: 'below', x: 8, y: 62 });
  });

  it('sits over the bottom of a selection that fills the view, and hides when the selection is out of view', () => {
    const all = { x0: -100, y0: -100, x1: 1100, y1: 800 };
    const at = placePromptBar(all, bar, viewport)!;
    expect(at.side).toBe('over');
    expect(at.y + bar.height).toBeLessThanOrEqual(viewport.height - 8);
    expect(placePromptBar({ x0: 1200, y0: 10, x1: 1300, y1: 50 }, bar, viewport)).toBeNull();
  });

  it('follows pan and zoom through the view', () => {
    const rect = { x0: 100, y0: 100, x1: 200, y1: 150 };
    expect(imageRectToCanvasPx({ scale: 2, offsetXCanvasPx: 10, offsetYCanvasPx: -20 }, rect)).toEqual({
      x0: 210,
      y0: 180,
      x1: 410,
      y1: 280,
    });
  });
});
