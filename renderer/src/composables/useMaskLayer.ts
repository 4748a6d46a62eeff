import { markRaw, shallowRef } from 'vue';
import { type Mask, type Rect, createMask } from '../../../shared/image/types';
import { type Brush, stampDab, strokeSegment, unionRect } from '../canvas/brush';
import type { PointPx } from '../canvas/viewTransform';
import { useMaskStore } from '../stores/maskStore';
import { type MaskLayer, createLayerHistory } from './maskLayerHistory';

export { type MaskLayer, historyBudgetBytes } from './maskLayerHistory';

type ChangeListener = (layer: MaskLayer, dirtyImagePx: Rect) => void;
type CommitListener = (layer: MaskLayer, label: string) => void;
type Masks = Record<MaskLayer, Mask>;

function fullRect(mask: Mask): Rect {
  return { x0: 0, y0: 0, x1: mask.width, y1: mask.height };
}

/** The layers' bytes, who listens to their changes, and the store's facts about them. */
function createLayerCore() {
  const masks = shallowRef<Masks | null>(null);
  const history = createLayerHistory();
  const listeners = new Set<ChangeListener>();
  const commitListeners = new Set<CommitListener>();

  /** Updates the store's facts after a change. */
  function syncFacts(): void {
    const facts = history.facts();
    const store = useMaskStore();
    store.canUndo = facts.canUndo;
    store.canRedo = facts.canRedo;
    store.historyBytes = facts.bytes;
    store.areaPx = masks.value ? facts.areasPx.roi : 0;
    store.protectedAreaPx = masks.value ? facts.areasPx.protect : 0;
    store.revision++;
  }

  function notify(layer: MaskLayer, dirty: Rect): void {
    for (const listener of listeners) listener(layer, dirty);
  }

  function recorded(layer: MaskLayer, mask: Mask, dirty: Rect | null, label: string): void {
    const isRecorded = history.commit(layer, mask, dirty, label);
    syncFacts();
    if (isRecorded) for (const listener of commitListeners) listener(layer, label);
  }

  /** Undo or redo of one step, shown and counted. */
  function stepped(change: { layer: MaskLayer; dirty: Rect } | null): boolean {
    if (change) notify(change.layer, change.dirty);
    syncFacts();
    return change !== null;
  }

  /** New layers (empty, or a saved document's) with a fresh history. */
  function replaceAll(next: Masks, isEmpty: boolean): void {
    masks.value = markRaw(next);
    history.clear(isEmpty ? undefined : next);
    syncFacts();
    notify('roi', fullRect(next.roi));
    notify('protect', fullRect(next.protect));
  }

  return { masks, history, listeners, commitListeners, syncFacts, notify, recorded, stepped, replaceAll };
}

/** Brush strokes on one layer: each stroke becomes one undo step when it ends. */
function createStrokes(core: ReturnType<typeof createLayerCore>) {
  let stroke: { layer: MaskLayer; last: PointPx; brush: Brush; dirty: Rect | null } | null = null;

  function beginStroke(layer: MaskLayer, atImagePx: PointPx, brush: Brush): void {
    const mask = core.masks.value?.[layer];
    if (!mask) return;
    core.history.begin(layer, mask);
    const dirty = stampDab(mask, atImagePx, brush);
    stroke = { layer, last: atImagePx, brush, dirty };
    if (dirty) core.notify(layer, dirty);
  }

  function strokeTo(atImagePx: PointPx): void {
    const mask = stroke ? core.masks.value?.[stroke.layer] : undefined;
    if (!stroke || !mask) return;
    const dirty = strokeSegment(mask, stroke.last, atImagePx, stroke.brush);
    stroke.last = atImagePx;
    stroke.dirty = unionRect(stroke.dirty, dirty);
    if (dirty) core.notify(stroke.layer, dirty);
  }

  function endStroke(label: string): void {
    const mask = stroke ? core.masks.value?.[stroke.layer] : undefined;
    if (!stroke || !mask) return;
    const { layer, dirty } = stroke;
    stroke = null;
    core.recorded(layer, mask, dirty, label);
  }

  function cancel(): void {
    stroke = null;
  }

  return { beginStroke, strokeTo, endStroke, cancel };
}

/** The RoI as the engine gets it: the RoI minus the protected area. */
function effectiveRoi(current: Masks | null): { width: number; height: number; data: Uint8Array<ArrayBuffer> } | null {
  if (!current) return null;
  const data = new Uint8Array(current.roi.data.length);
  const roi = current.roi.data;
  const protect = current.protect.data;
  for (let i = 0; i < data.length; i++) data[i] = protect[i]! >= 128 ? 0 : roi[i]!;
  return { width: current.roi.width, height: current.roi.height, data };
}

function createLayerState() {
  const core = createLayerCore();
  const { masks, history } = core;
  const strokes = createStrokes(core);

  /** Changes a layer in place with `change` (which returns the area it touched, or null) as one undo step. */
  function edit(layer: MaskLayer, label: string, change: (mask: Mask) => Rect | null): void {
    const mask = masks.value?.[layer];
    if (!mask) return;
    history.begin(layer, mask);
    const dirty = change(mask);
    if (dirty) core.notify(layer, dirty);
    core.recorded(layer, mask, dirty, label);
  }

  return {
    masks,
    /** Empty layers for a new photo; forgets the history. */
    reset(width: number, height: number): void {
      strokes.cancel();
      core.replaceAll({ roi: createMask(width, height), protect: createMask(width, height) }, true);
    },
    /** Layers of a saved document (same size as the photo), with a fresh history. */
    load(roi: Mask, protect: Mask): void {
      strokes.cancel();
      const next = { roi: createMask(roi.width, roi.height), protect: createMask(roi.width, roi.height) };
      next.roi.data.set(roi.data);
      next.protect.data.set(protect.data);
      core.replaceAll(next, false);
    },
    onChange(listener: ChangeListener): () => void {
      core.listeners.add(listener);
      return () => core.listeners.delete(listener);
    },
    /** Called after each change that became an undo step (a stroke, a fill, a found region). */
    onCommit(listener: CommitListener): () => void {
      core.commitListeners.add(listener);
      return () => core.commitListeners.delete(listener);
    },
    /** Forgets the changes that could be redone (another kind of step was taken after undoing). */
    clearRedo(): void {
      history.clearRedo();
      core.syncFacts();
    },
    ...strokes,
    edit,
    /** Replaces a layer's bytes with `next` (same size) as one undo step. */
    replace(layer: MaskLayer, label: string, next: Mask): void {
      edit(layer, label, (mask) => {
        if (next.width !== mask.width || next.height !== mask.height) {
          throw new Error(`the mask is ${next.width}×${next.height}; the photo is ${mask.width}×${mask.height}`);
        }
        mask.data.set(next.data);
        return fullRect(mask);
      });
    },
    /** Undoes the last mask change; false when there was none left (the history budget may have dropped it). */
    undo: (): boolean => core.stepped(masks.value ? history.undo(masks.value) : null),
    /** Re-applies the last undone mask change; false when there was none. */
    redo: (): boolean => core.stepped(masks.value ? history.redo(masks.value) : null),
    effectiveRoi: () => effectiveRoi(masks.value),
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
