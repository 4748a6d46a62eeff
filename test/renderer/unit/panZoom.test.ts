import { describe, expect, it } from 'vitest';
import { usePanZoom } from '../../../renderer/src/composables/usePanZoom';
import { fitView } from '../../../renderer/src/canvas/viewTransform';

describe('pan and zoom', () => {
  it('keeps a fitted photo fitted when the window shrinks or grows, until the user zooms or pans', () => {
    const panZoom = usePanZoom();
    panZoom.setViewport({ width: 1100, height: 700 });
    panZoom.setImage({ width: 4000, height: 3000 });
    expect(panZoom.view.value).toEqual(fitView({ width: 4000, height: 3000 }, { width: 1100, height: 700 }));

    panZoom.setViewport({ width: 600, height: 500 });
    expect(panZoom.view.value).toEqual(fitView({ width: 4000, height: 3000 }, { width: 600, height: 500 }));

    panZoom.zoomBy(2);
    const zoomed = panZoom.view.value;
    panZoom.setViewport({ width: 800, height: 500 });
    expect(panZoom.view.value).toEqual(zoomed);
    expect(panZoom.isFitted.value).toBe(false);

    panZoom.fit();
    panZoom.pan(10, 0);
    panZoom.setViewport({ width: 900, height: 500 });
    expect(panZoom.isFitted.value).toBe(false);
    panZoom.fit();
    panZoom.setViewport({ width: 1000, height: 600 });
    expect(panZoom.view.value).toEqual(fitView({ width: 4000, height: 3000 }, { width: 1000, height: 600 }));
  });
});
