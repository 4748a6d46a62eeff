import type { menuCommands } from '../../../shared/api';
import { useBatchStore } from '../stores/batchStore';
import { useEditStore } from '../stores/editStore';
import { useSweepStore } from '../stores/sweepStore';
import { isTypingTarget } from './useAppKeyboard';

/** A command of the desktop app's menu (File, Edit, View), as main sends it. */
export type MenuCommand = (typeof menuCommands)[number];

/** What each menu command does in the editor: every item of the menu has its action here. */
export type MenuActions = Readonly<Record<MenuCommand, () => void>>;

/** The document's own actions the menu reaches. */
export interface MenuTargets {
  open(): void;
  undo(): void;
  redo(): void;
  export(): void;
}

/**
 * The menu's actions: Undo and Redo go to the text field that has focus (its own undo), else to the document;
 * File → Batch… opens the Batch sheet; View → Compare with Original shows the original in place of the result until it is chosen again.
 */
export function useMenuActions(targets: MenuTargets): MenuActions {
  const editStore = useEditStore();
  const history = (command: 'undo' | 'redo'): void => {
    if (isTypingTarget(document.activeElement)) document.execCommand(command);
    else targets[command]();
  };
  return {
    open: () => targets.open(),
    undo: () => history('undo'),
    redo: () => history('redo'),
    export: () => targets.export(),
    compare: () => (editStore.isShowingOriginal = !editStore.isShowingOriginal),
    batch: () => (useBatchStore().isOpen = true),
    sweep: () => useSweepStore().show(),
  };
}
