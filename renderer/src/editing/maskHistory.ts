import type { Mask, Rect } from '../../../shared/image/types';

/** One undoable mask change: the bytes of `rect` before and after. */
interface Patch {
  readonly label: string;
  readonly rect: Rect;
  readonly before: Uint8Array;
  readonly after: Uint8Array;
  /** Nonzero pixels of `after` minus those of `before`. */
  readonly setPxChange: number;
}

/** Whether the crops differ, and the change of their nonzero-pixel counts (one pass over both). */
function compareCrops(before: Uint8Array, after: Uint8Array): { differs: boolean; setPxChange: number } {
  let differs = false;
  let setPxChange = 0;
  for (let i = 0; i < before.length; i++) {
    const b = before[i]!;
    const a = after[i]!;
    if (a !== b) {
      differs = true;
      setPxChange += (a !== 0 ? 1 : 0) - (b !== 0 ? 1 : 0);
    }
  }
  return { differs, setPxChange };
}

function cropBytes(mask: Mask, rect: Rect, source: Uint8Array = mask.data): Uint8Array {
  const width = rect.x1 - rect.x0;
  const out = new Uint8Array(width * (rect.y1 - rect.y0));
  for (let y = rect.y0; y < rect.y1; y++) {
    const start = y * mask.width + rect.x0;
    out.set(source.subarray(start, start + width), (y - rect.y0) * width);
  }
  return out;
}

function pasteBytes(mask: Mask, rect: Rect, bytes: Uint8Array): void {
  const width = rect.x1 - rect.x0;
  for (let y = rect.y0; y < rect.y1; y++) {
    mask.data.set(bytes.subarray((y - rect.y0) * width, (y - rect.y0 + 1) * width), y * mask.width + rect.x0);
  }
}

/**
 * Undo/redo of mask changes as before/after patches of the changed rectangle, bounded by a byte budget: the oldest
 * changes are forgotten first (the latest change is always kept, however large).
 */
export class MaskHistory {
  private readonly undoStack: Patch[] = [];
  private redoStack: Patch[] = [];
  private snapshot: Uint8Array | null = null;
  private usedBytes = 0;
  private lastChange = 0;

  constructor(private readonly budgetBytes: number) {}

  /** Remembers the mask as it is before a change (a stroke, a fill, an operation). */
  begin(mask: Mask): void {
    this.snapshot = mask.data.slice();
  }

  /** True between {@link begin} and {@link commit}. */
  get isChanging(): boolean {
    return this.snapshot !== null;
  }

  /** Records the change since {@link begin} limited to `dirty` (null: nothing changed, nothing recorded). */
  commit(mask: Mask, dirty: Rect | null, label: string): boolean {
    const snapshot = this.snapshot;
    this.snapshot = null;
    this.lastChange = 0;
    if (snapshot === null || dirty === null) return false;
    const before = cropBytes(mask, dirty, snapshot);
    const after = cropBytes(mask, dirty);
    const { differs, setPxChange } = compareCrops(before, after);
    if (!differs) return false;
    this.push({ label, rect: dirty, before, after, setPxChange });
    this.lastChange = setPxChange;
    for (const patch of this.redoStack) this.usedBytes -= patch.before.length * 2;
    this.redoStack = [];
    this.trim();
    return true;
  }

  /** Restores the mask before the last change; returns the changed rect or null when there is nothing to undo. */
  undo(mask: Mask): Rect | null {
    const patch = this.undoStack.pop();
    this.lastChange = patch ? -patch.setPxChange : 0;
    if (!patch) return null;
    pasteBytes(mask, patch.rect, patch.before);
    this.redoStack.push(patch);
    return patch.rect;
  }

  /** Re-applies the last undone change. */
  redo(mask: Mask): Rect | null {
    const patch = this.redoStack.pop();
    this.lastChange = patch ? patch.setPxChange : 0;
    if (!patch) return null;
    pasteBytes(mask, patch.rect, patch.after);
    this.undoStack.push(patch);
    return patch.rect;
  }

  /** Forgets everything (a new document). */
  clear(): void {
    this.undoStack.length = 0;
    this.redoStack = [];
    this.snapshot = null;
    this.usedBytes = 0;
    this.lastChange = 0;
  }

  get canUndo(): boolean {
    return this.undoStack.length > 0;
  }

  get canRedo(): boolean {
    return this.redoStack.length > 0;
  }

  /**
   * How many nonzero pixels the last {@link commit}, {@link undo} or {@link redo} added (negative: removed; 0 when it
   * changed nothing), so a caller can keep the mask's area without recounting the whole mask.
   */
  get lastSetPxChange(): number {
    return this.lastChange;
  }

  /** Bytes held by the patches. */
  get bytes(): number {
    return this.usedBytes;
  }

  get undoLabel(): string | null {
    return this.undoStack.at(-1)?.label ?? null;
  }

  get depth(): number {
    return this.undoStack.length;
  }

  private push(patch: Patch): void {
    this.undoStack.push(patch);
    this.usedBytes += patch.before.length * 2;
  }

  private trim(): void {
    while (this.usedBytes > this.budgetBytes && this.undoStack.length > 1) {
      const oldest = this.undoStack.shift()!;
      this.usedBytes -= oldest.before.length * 2;
    }
  }
}
