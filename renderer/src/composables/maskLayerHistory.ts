import type { Mask, Rect } from '../../../shared/image/types';
import { MaskHistory } from '../editing/maskHistory';

/** The RoI (what to edit) or the protected area (never edited, wins over the RoI). */
export type MaskLayer = 'roi' | 'protect';

/** Undo history of both layers together holds at most this many bytes. */
export const historyBudgetBytes = 256 * 1024 * 1024;

/** What the store shows of the layers' history. */
export interface LayerHistoryFacts {
  readonly canUndo: boolean;
  readonly canRedo: boolean;
  readonly bytes: number;
  readonly areasPx: Readonly<Record<MaskLayer, number>>;
}

function countSet(mask: Mask): number {
  return mask.data.reduce((n, v) => n + (v !== 0 ? 1 : 0), 0);
}

/**
 * The undo history of both layers as one sequence (Ctrl+Z undoes the latest change, whichever layer it touched),
 * and the nonzero pixels of each layer, kept from the history's per-change counts: recounting a 12 MP mask after
 * every stroke took ~130 ms of the stroke's last frame.
 */
export function createLayerHistory() {
  const histories = { roi: new MaskHistory(historyBudgetBytes / 2), protect: new MaskHistory(historyBudgetBytes / 2) };
  const undoOrder: MaskLayer[] = [];
  let redoOrder: MaskLayer[] = [];
  const areasPx: Record<MaskLayer, number> = { roi: 0, protect: 0 };

  /** Moves one step from `from` to `to` (undo or redo); the layer and area it changed, or null when none was left. */
  function step(
    from: MaskLayer[],
    to: MaskLayer[],
    apply: (layer: MaskLayer) => Rect | null,
  ): { layer: MaskLayer; dirty: Rect } | null {
    while (from.length > 0) {
      const layer = from.pop()!;
      const dirty = apply(layer);
      if (dirty) {
        to.push(layer);
        areasPx[layer] += histories[layer].lastSetPxChange;
        return { layer, dirty };
      }
    }
    return null;
  }

  return {
    facts(): LayerHistoryFacts {
      return {
        canUndo: undoOrder.length > 0,
        canRedo: redoOrder.length > 0,
        bytes: histories.roi.bytes + histories.protect.bytes,
        areasPx,
      };
    },
    /** Forgets every step; the areas are counted again from `masks` (none: both empty). */
    clear(masks?: Record<MaskLayer, Mask>): void {
      histories.roi.clear();
      histories.protect.clear();
      undoOrder.length = 0;
      redoOrder = [];
      areasPx.roi = masks ? countSet(masks.roi) : 0;
      areasPx.protect = masks ? countSet(masks.protect) : 0;
    },
    clearRedo(): void {
      redoOrder = [];
    },
    /** Remembers `mask` as it is before a change. */
    begin(layer: MaskLayer, mask: Mask): void {
      histories[layer].begin(mask);
    },
    /** Records the change since `begin`; true when it became an undo step (something changed). */
    commit(layer: MaskLayer, mask: Mask, dirty: Rect | null, label: string): boolean {
      const isRecorded = histories[layer].commit(mask, dirty, label);
      if (isRecorded) {
        undoOrder.push(layer);
        redoOrder = [];
      }
      areasPx[layer] += histories[layer].lastSetPxChange;
      return isRecorded;
    },
    undo(masks: Record<MaskLayer, Mask>): { layer: MaskLayer; dirty: Rect } | null {
      return step(undoOrder, redoOrder, (layer) => histories[layer].undo(masks[layer]));
    },
    redo(masks: Record<MaskLayer, Mask>): { layer: MaskLayer; dirty: Rect } | null {
      return step(redoOrder, undoOrder, (layer) => histories[layer].redo(masks[layer]));
    },
  };
}
