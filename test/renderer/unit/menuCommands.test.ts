import { createPinia, setActivePinia } from 'pinia';
import { beforeEach, describe, expect, it } from 'vitest';
import { menuCommands } from '../../../shared/api';
import { useMenuActions } from '../../../renderer/src/composables/menuCommands';
import { useBatchStore } from '../../../renderer/src/stores/batchStore';
import { useEditStore } from '../../../renderer/src/stores/editStore';

describe('the desktop menu’s commands', () => {
  beforeEach(() => setActivePinia(createPinia()));

  it('every command the menu can send does something in the editor', () => {
    const done: string[] = [];
    const actions = useMenuActions({
      open: () => done.push('open'),
      undo: () => done.push('undo'),
      redo: () => done.push('redo'),
      export: () => done.push('export'),
    });
    const editStore = useEditStore();
    for (const command of menuCommands) actions[command]();
    expect(done.sort()).toEqual(['export', 'open', 'redo', 'undo']);
    expect(editStore.isShowingOriginal).toBe(true);
    expect(useBatchStore().isOpen).toBe(true);
  });

  it('View → Compare with Original toggles the original in place of the result', () => {
    const actions = useMenuActions({ open: () => 0, undo: () => 0, redo: () => 0, export: () => 0 });
    const editStore = useEditStore();
    actions.compare();
    expect(editStore.isShowingOriginal).toBe(true);
    actions.compare();
    expect(editStore.isShowingOriginal).toBe(false);
  });

  it('Undo from the menu goes to the focused text field, not the document', () => {
    let documentUndos = 0;
    const actions = useMenuActions({ open: () => 0, undo: () => documentUndos++, redo: () => 0, export: () => 0 });
    const input = document.createElement('input');
    document.body.append(input);
    input.focus();
    const calls: string[] = [];
    document.execCommand = (command: string) => (calls.push(command), true);
    actions.undo();
    expect(calls).toEqual(['undo']);
    expect(documentUndos).toBe(0);
    input.remove();
    actions.undo();
    expect(documentUndos).toBe(1);
  });
});
