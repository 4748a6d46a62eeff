import type { Tool } from '../stores/maskStore';

/** A key press as the shortcut table needs it (a subset of KeyboardEvent). */
export interface KeyPress {
  readonly key: string;
  readonly code: string;
  readonly ctrlKey: boolean;
  readonly metaKey: boolean;
  readonly shiftKey: boolean;
  readonly altKey: boolean;
}

/** What a shortcut does. */
export type ShortcutAction =
  | { readonly type: 'tool'; readonly tool: Tool }
  | { readonly type: 'brushSize'; readonly factor: number }
  | { readonly type: 'hardness'; readonly delta: number }
  | {
      readonly type:
        | 'undo'
        | 'redo'
        | 'generate'
        | 'cancel'
        | 'keep'
        | 'retry'
        | 'fit'
        | 'actualSize'
        | 'zoomIn'
        | 'zoomOut'
        | 'open'
        | 'export'
        | 'help'
        | 'invert';
    };

const toolKeys: Record<string, Tool> = {
  v: 'pan',
  h: 'pan',
  b: 'brush',
  e: 'eraser',
  l: 'lasso',
  m: 'box',
  c: 'positive',
  x: 'negative',
  p: 'protect',
};

/**
 * The action of a key press, or null. `isTyping`: focus is in a text field, which keeps its own keys (Ctrl+Z undoes
 * typing there): only Ctrl/⌘+Enter (generate) and Esc (cancel the running job) reach the app.
 */
export function shortcutFor(press: KeyPress, isTyping: boolean): ShortcutAction | null {
  const mod = press.ctrlKey || press.metaKey;
  const key = press.key.toLowerCase();
  if (press.key === 'Escape') return { type: 'cancel' };
  if (mod && press.key === 'Enter') return { type: 'generate' };
  if (isTyping) return null;
  if (mod) {
    if (key === 'z') return { type: press.shiftKey ? 'redo' : 'undo' };
    if (key === 'y') return { type: 'redo' };
    if (key === 'o') return { type: 'open' };
    if (key === 'e') return { type: 'export' };
    if (key === '0') return { type: 'fit' };
    if (key === '1') return { type: 'actualSize' };
    if (key === '=' || key === '+') return { type: 'zoomIn' };
    if (key === '-') return { type: 'zoomOut' };
    return null;
  }
  if (press.code === 'BracketLeft') {
    return press.shiftKey ? { type: 'hardness', delta: -0.1 } : { type: 'brushSize', factor: 1 / 1.2 };
  }
  if (press.code === 'BracketRight') {
    return press.shiftKey ? { type: 'hardness', delta: 0.1 } : { type: 'brushSize', factor: 1.2 };
  }
  if (press.altKey) return null;
  const tool = toolKeys[key];
  if (tool) return { type: 'tool', tool };
  if (key === 'k') return { type: 'keep' };
  if (key === 'r') return { type: 'retry' };
  if (key === 'f') return { type: 'fit' };
  if (key === 'i') return { type: 'invert' };
  if (key === '?') return { type: 'help' };
  if (key === '1') return { type: 'actualSize' };
  if (key === '+' || key === '=') return { type: 'zoomIn' };
  if (key === '-') return { type: 'zoomOut' };
  return null;
}

/** The help overlay's list. */
export const shortcutList: { keys: string; label: string }[] = [
  { keys: 'V / H', label: 'Select and pan' },
  { keys: 'B', label: 'Brush (paint the region)' },
  { keys: 'E', label: 'Eraser' },
  { keys: 'L', label: 'Lasso (Alt subtracts)' },
  { keys: 'M', label: 'Box: select the object inside' },
  { keys: 'C / X', label: 'Positive / negative click (Alt inverts)' },
  { keys: 'P', label: 'Protect brush (never edited)' },
  { keys: '[ ]', label: 'Brush size' },
  { keys: 'Shift+[ ]', label: 'Brush hardness' },
  { keys: 'I', label: 'Invert the region' },
  { keys: 'Space (hold)', label: 'Pan by dragging; shows the original while comparing' },
  { keys: 'F / Ctrl+0', label: 'Fit the photo' },
  { keys: '1 / Ctrl+1', label: '100 %' },
  { keys: '+ / −, wheel', label: 'Zoom (the wheel zooms to the cursor)' },
  { keys: 'Ctrl+Z / Ctrl+Shift+Z', label: 'Undo / redo a mask change' },
  { keys: 'Ctrl+Enter', label: 'Generate' },
  { keys: 'Esc', label: 'Cancel the running job / close' },
  { keys: 'K / R', label: 'Keep the result / retry with a new seed' },
  { keys: 'Ctrl+O', label: 'Open a photo' },
  { keys: 'Ctrl+E', label: 'Export the result (or the photo)' },
  { keys: '?', label: 'This help' },
];
