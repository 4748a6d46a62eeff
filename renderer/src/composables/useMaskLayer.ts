import { markRaw, shallowRef } from 'vue';
import { type Mask, type Rect, createMask } from '../../../shared/image/types';
import { type Brush, stampDab, strokeSegment, unionRect } from '../canvas/brush';
import type { PointPx } from '../canvas/viewTransform';
import { MaskHistory } from '../editing/maskHistory';
import { useMaskStore } from '../stores/maskStore';

/** The RoI (what to edit) or the protected area (never edited, wins over the RoI). */
export type MaskLayer = 'roi' | 'protect';

type ChangeListener = (layer: MaskLayer, dirtyImagePx: Rect) => void;
type CommitListener = (layer: MaskLayer, label: string) => void;

/** Undo history of both layers together holds at most this many bytes. */
export const historyBudgetBytes = 256 * 1024 * 1024;

function createLayerState() {
  const masks = shallowRef<Record<MaskLayer, Mask> | null>(null);
  const histories = { roi: new MaskHistory(historyBudgetBytes / 2), protect: new MaskHistory(historyBudgetBytes / 2) };
  const undoOrder: MaskLayer[] = [];
  let redoOrder: MaskLayer[] = [];
  const listeners = new Set<ChangeListener>();
  const commitListeners = new Set<CommitListener>();
  let stroke: { layer: MaskLayer; last: PointPx; brush: Brush; dirty: Rect | null } | null = null;
  // Nonzero pixels per layer, kept from the history's per-change counts: recounting a 12 MP mask after every stroke
  // took ~130 ms of the stroke's last frame.
  const areasPx: Record<MaskLayer, number> = { roi: 0, protect: 0 };

  /** Updates the store's facts after a change of `changed` made through its history (or a reset, 'none'). */
  function syncFacts(changed: MaskLayer | 'none' = 'none'): void {
    if (changed !== 'none') areasPx[changed] += histories[changed].lastSetPxChange;
    const store = useMaskStore();
    store.canUndo = undoOrder.length > 0;
    store.canRedo = redoOrder.length > 0;
    store.historyBytes = histories.roi.bytes + histories.protect.bytes;
    store.areaPx = masks.value ? areasPx.roi : 0;
    store.protectedAreaPx = masks.value ? areasPx.protect : 0;
    store.revision++;
  }

  function notify(layer: MaskLayer, dirty: Rect): void {
    for (const listener of listeners) listener(layer, dirty);
  }

  function fullRect(mask: Mask): Rect {
    return { x0: 0, y0: 0, x1: mask.width, y1: mask.height };
  }

  function recorded(layer: MaskLayer, mask: Mask, dirty: Rect | null, label: string): void {
    const isRecorded = histories[layer].commit(mask, dirty, label);
    if (isRecorded) {
      undoOrder.push(layer);
      redoOrder = [];
    }
    syncFacts(layer);
    if (isRecorded) for (const listener of commitListeners) listener(layer, label);
  }

  return {
    masks,
    /** Empty layers for a new photo; forgets the history. */
    reset(width: number, height: number): void {
      masks.value = markRaw({ roi: createMask(width, height), protect: createMask(width, height) });
      histories.roi.clear();
      histories.protect.clear();
      undoOrder.length = 0;
      redoOrder = [];
      stroke = null;
      areasPx.roi = 0;
      areasPx.protect = 0;
      syncFacts();
      notify('roi', { x0: 0, y0: 0, x1: width, y1: height });
      notify('protect', { x0: 0, y0: 0, x1: width, y1: height });
    },
    /** Layers of a saved document (same size as the photo), with a fresh history. */
    load(roi: Mask, protect: Mask): void {
      this.reset(roi.width, roi.height);
      const current = masks.value!;
      current.roi.data.set(roi.data);
      current.protect.data.set(protect.data);
      areasPx.roi = roi.data.reduce((n, v) => n + (v !== 0 ? 1 : 0), 0);
      areasPx.protect = protect.data.reduce((n, v) => n + (v !== 0 ? 1 : 0), 0);
      syncFacts();
      notify('roi', fullRect(roi));
      notify('protect', fullRect(protect));
    },
    onChange(listener: ChangeListener): () => void {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    /** Called after each change that became an undo step (a stroke, a fill, a found region). */
    onCommit(listener: CommitListener): () => void {
      commitListeners.add(listener);
      return () => commitListeners.delete(listener);
    },
    /** Forgets the changes that could be redone (another kind of step was taken after undoing). */
    clearRedo(): void {
      redoOrder = [];
      syncFacts();
    },
    beginStroke(layer: MaskLayer, atImagePx: PointPx, brush: Brush): void {
      const mask = masks.value?.[layer];
      if (!mask) return;
      histories[layer].begin(mask);
      const dirty = stampDab(mask, atImagePx, brush);
      stroke = { layer, last: atImagePx, brush, dirty };
      if (dirty) notify(layer, dirty);
    },
    strokeTo(atImagePx: PointPx): void {
      const mask = stroke ? masks.value?.[stroke.layer] : undefined;
      if (!stroke || !mask) return;
      const dirty = strokeSegment(mask, stroke.last, atImagePx, stroke.brush);
      stroke.last = atImagePx;
      stroke.dirty = unionRect(stroke.dirty, dirty);
      if (dirty) notify(stroke.layer, dirty);
    },
    endStroke(label: string): void {
      const mask = stroke ? masks.value?.[stroke.layer] : undefined;
      if (!stroke || !mask) return;
      const { layer, dirty } = stroke;
      stroke = null;
      recorded(layer, mask, dirty, label);
    },
    /** Changes a layer in place with `change` (which returns the area it touched, or null) as one undo step. */
    edit(layer: MaskLayer, label: string, change: (mask: Mask) => Rect | null): void {
      const mask = masks.value?.[layer];
      if (!mask) return;
      histories[layer].begin(mask);
      const dirty = change(mask);
      if (dirty) notify(layer, dirty);
      recorded(layer, mask, dirty, label);
    },
    /** Replaces a layer's bytes with `next` (same size) as one undo step. */
    replace(layer: MaskLayer, label: string, next: Mask): void {
      this.edit(layer, label, (mask) => {
        if (next.width !== mask.width || next.height !== mask.height) {
          throw new Error(`the mask is ${next.width}×${next.height}; the photo is ${mask.width}×${mask.height}`);
        }
        mask.data.set(next.data);
        return fullRect(mask);
      });
    },
    /** Undoes the last mask change; false when there was none left (the history budget may have dropped it). */
    undo(): boolean {
      const current = masks.value;
      while (current && undoOrder.length > 0) {
        const layer = undoOrder.pop()!;
        const dirty = histories[layer].undo(current[layer]);
        if (dirty) {
          redoOrder.push(layer);
          notify(layer, dirty);
          syncFacts(layer);
          return true;
        }
      }
      syncFacts();
      return false;
    },
    /** Re-applies the last undone mask change; false when there was none. */
    redo(): boolean {
      const current = masks.value;
      while (current && redoOrder.length > 0) {
        const layer = redoOrder.pop()!;
        const dirty = histories[layer].redo(current[layer]);
        if (dirty) {
          undoOrder.push(layer);
          notify(layer, dirty);
          syncFacts(layer);
          return true;
        }
      }
      syncFacts();
      return false;
    },
    /** The RoI as the engine gets it: the RoI minus the protected area. */
    effectiveRoi(): { width: number; height: number; data: Uint8Array<ArrayBuffer> } | null {
      const current = masks.value;
      if (!current) return null;
      const data = new Uint8Array(current.roi.data.length);
      const roi = current.roi.data;
      const protect = current.protect.data;
      for (let i = 0; i < data.length; i++) data[i] = protect[i]! >= 128 ? 0 : roi[i]!;
      return { width: current.roi.width, height: current.roi.height, data };
    },
  };
}

let shared: ReturnType<typeof createLayerState> | undefined;

/** The mask bytes of the open photo (one per app), their strokes and their undo history. */
export function useMaskLayer(): ReturnType<typeof createLayerState> {
  shared ??= createLayerState();
  return shared;
}

/** Forgets the shared layer state (tests). */
export function disposeMaskLayer(): void {
  shared = undefined;
}
