import { defineStore } from 'pinia';
import { ref } from 'vue';

/** The tools of the rail. */
export const tools = ['pan', 'brush', 'eraser', 'lasso', 'box', 'positive', 'negative', 'protect'] as const;
/** One of {@link tools}. */
export type Tool = (typeof tools)[number];

/** Facts about the mask (its bytes live in `useMaskLayer`): the tool, the brush, the overlay, the history. */
export const useMaskStore = defineStore('mask', () => {
  const tool = ref<Tool>('brush');
  /** Brush diameter in screen (canvas) pixels, so the cursor looks the same at every zoom. */
  const brushSizeCanvasPx = ref(40);
  const hardness = ref(0.8);
  const overlayColour = ref('#ff3b6b');
  const overlayOpacity = ref(0.45);
  /** Bumped on every change of the mask bytes (the preview and the area follow it). */
  const revision = ref(0);
  const canUndo = ref(false);
  const canRedo = ref(false);
  const areaPx = ref(0);
  const protectedAreaPx = ref(0);
  const historyBytes = ref(0);
  const error = ref<string | null>(null);

  function setBrushSize(size: number): void {
    brushSizeCanvasPx.value = Math.round(Math.min(1000, Math.max(1, size)));
  }

  function setHardness(value: number): void {
    hardness.value = Math.round(Math.min(1, Math.max(0, value)) * 100) / 100;
  }

  return {
    tool,
    brushSizeCanvasPx,
    hardness,
    overlayColour,
    overlayOpacity,
    revision,
    canUndo,
    canRedo,
    areaPx,
    protectedAreaPx,
    historyBytes,
    error,
    setBrushSize,
    setHardness,
  };
});
