import { onBeforeUnmount, onMounted, ref } from 'vue';
import { type ShortcutAction, shortcutFor } from '../editing/shortcuts';
import type { Tool } from '../stores/maskStore';

/** What the keyboard can ask the editor to do (each shortcut action but `tool`, plus choosing a tool). */
export type KeyboardCommands = Record<
  Exclude<ShortcutAction['type'], 'tool' | 'brushSize' | 'hardness'>,
  () => void
> & {
  tool(tool: Tool): void;
  brushSize(factor: number): void;
  hardness(delta: number): void;
  /** A pasted image file. */
  paste(file: File): void;
};

/** True when `target` is a field that takes typing (its own keys, e.g. Ctrl+Z, belong to it). */
export function isTypingTarget(target: EventTarget | null): boolean {
  const element = target as HTMLElement | null;
  if (!element?.tagName) return false;
  if (element.tagName === 'TEXTAREA' || element.tagName === 'SELECT' || element.isContentEditable) return true;
  return (
    element.tagName === 'INPUT' &&
    !['checkbox', 'range', 'radio', 'button', 'color'].includes((element as HTMLInputElement).type)
  );
}

/** Carries out a shortcut. */
export function runShortcut(action: ShortcutAction, commands: KeyboardCommands): void {
  if (action.type === 'tool') commands.tool(action.tool);
  else if (action.type === 'brushSize') commands.brushSize(action.factor);
  else if (action.type === 'hardness') commands.hardness(action.delta);
  else commands[action.type]();
}

/**
 * The window's keys while the component lives: shortcuts (none but Ctrl+Enter and Esc while a text field has focus),
 * Space held (pan / show the original) and pasted images.
 */
export function useAppKeyboard(commands: KeyboardCommands) {
  const isSpaceHeld = ref(false);

  function onKeyDown(event: KeyboardEvent): void {
    const isTyping = isTypingTarget(event.target);
    if (event.code === 'Space' && !isTyping) {
      event.preventDefault();
      isSpaceHeld.value = true;
      return;
    }
    const action = shortcutFor(event, isTyping);
    if (!action) return;
    event.preventDefault();
    runShortcut(action, commands);
  }

  function onKeyUp(event: KeyboardEvent): void {
    if (event.code === 'Space') isSpaceHeld.value = false;
  }

  function onPaste(event: ClipboardEvent): void {
    if (isTypingTarget(event.target)) return;
    const file = Array.from(event.clipboardData?.files ?? []).find((item) => item.type.startsWith('image/'));
    if (file) commands.paste(file);
  }

  onMounted(() => {
    window.addEventListener('keydown', onKeyDown);
    window.addEventListener('keyup', onKeyUp);
    window.addEventListener('paste', onPaste);
  });
  onBeforeUnmount(() => {
    window.removeEventListener('keydown', onKeyDown);
    window.removeEventListener('keyup', onKeyUp);
    window.removeEventListener('paste', onPaste);
  });
  return { isSpaceHeld, onKeyDown, onKeyUp };
}
