import { createPinia, setActivePinia } from 'pinia';
import { beforeEach, describe, expect, it } from 'vitest';
import { disposeMaskLayer, useMaskLayer } from '../../../renderer/src/composables/useMaskLayer';
import { maskArea } from '../../../shared/image/mask';
import { useMaskStore } from '../../../renderer/src/stores/maskStore';

const hard = { radiusImagePx: 5, hardness: 1 } as const;

describe('mask layer and mask store', () => {
  beforeEach(() => {
    setActivePinia(createPinia());
    disposeMaskLayer();
  });

  it('paints a stroke as one undo step and keeps the store facts in step', () => {
    const layer = useMaskLayer();
    const store = useMaskStore();
    layer.reset(100, 50);
    const dirty: unknown[] = [];
    layer.onChange((which, rect) => dirty.push([which, rect]));
    layer.beginStroke('roi', { x: 10, y: 25 }, { ...hard, mode: 'paint' });
    layer.strokeTo({ x: 60, y: 25 });
    layer.endStroke('brush');
    const painted = store.areaPx;
    expect(painted).toBeGreaterThan(50 * 10);
    expect(store.canUndo).toBe(true);
    expect(dirty.length).toBeGreaterThanOrEqual(2);
    expect(dirty.every((entry) => (entry as [string])[0] === 'roi')).toBe(true);

    layer.undo();
    expect(store.areaPx).toBe(0);
    expect(store.canRedo).toBe(true);
    layer.redo();
    expect(store.areaPx).toBe(painted);
  });

  it('undoes across layers in order and keeps protected pixels out of the RoI the engine gets', () => {
    const layer = useMaskLayer();
    const store = useMaskStore();
    layer.reset(40, 40);
    layer.edit('roi', 'fill', (mask) => {
      mask.data.fill(255);
      return { x0: 0, y0: 0, x1: 40, y1: 40 };
    });
    layer.beginStroke('protect', { x: 20, y: 20 }, { ...hard, mode: 'paint' });
    layer.endStroke('protect');
    const roi = layer.effectiveRoi()!;
    expect(roi.data[20 * 40 + 20]).toBe(0);
    expect(roi.data[0]).toBe(255);
    expect(store.protectedAreaPx).toBeGreaterThan(60);

    layer.undo();
    expect(store.protectedAreaPx).toBe(0);
    expect(store.areaPx).toBe(1600);
    layer.undo();
    expect(store.areaPx).toBe(0);
    expect(store.canUndo).toBe(false);
  });

  it('keeps the areas equal to a full recount through strokes, erasing, replacing, undo and redo', () => {
    const layer = useMaskLayer();
    const store = useMaskStore();
    layer.reset(120, 80);
    const expectCounted = () => {
      const masks = layer.masks.value!;
      expect(store.areaPx).toBe(maskArea(masks.roi, 1));
      expect(store.protectedAreaPx).toBe(maskArea(masks.protect, 1));
    };
    layer.beginStroke('roi', { x: 10, y: 20 }, { radiusImagePx: 9, hardness: 0.3, mode: 'paint' });
    layer.strokeTo({ x: 100, y: 60 });
    layer.endStroke('brush');
    expectCounted();
    layer.beginStroke('roi', { x: 50, y: 10 }, { radiusImagePx: 7, hardness: 0.5, mode: 'erase' });
    layer.strokeTo({ x: 50, y: 70 });
    layer.endStroke('eraser');
    expectCounted();
    layer.beginStroke('protect', { x: 30, y: 30 }, { ...hard, mode: 'paint' });
    layer.endStroke('protect');
    expectCounted();
    const half = new Uint8Array(120 * 80);
    half.fill(200, 0, 120 * 40);
    layer.replace('roi', 'find', { width: 120, height: 80, data: half });
    expect(store.areaPx).toBe(120 * 40);
    for (let i = 0; i < 4; i++) {
      layer.undo();
      expectCounted();
    }
    expect(store.areaPx).toBe(0);
    for (let i = 0; i < 4; i++) {
      layer.redo();
      expectCounted();
    }
    expect(store.areaPx).toBe(120 * 40);
  });

  it('refuses a replacement mask of another size and records nothing', () => {
    const layer = useMaskLayer();
    layer.reset(10, 10);
    expect(() => layer.replace('roi', 'import', { width: 5, height: 5, data: new Uint8Array(25) })).toThrow(
      /the mask is 5×5; the photo is 10×10/,
    );
    expect(useMaskStore().canUndo).toBe(false);
  });

  it('clamps brush size and hardness', () => {
    const store = useMaskStore();
    store.setBrushSize(0.2);
    expect(store.brushSizeCanvasPx).toBe(1);
    store.setHardness(1.4);
    expect(store.hardness).toBe(1);
    store.setHardness(0.333);
    expect(store.hardness).toBe(0.33);
  });
});
