import { useDiscardPrompt } from '../composables/useDiscardPrompt';
import { useDocumentStore } from '../stores/documentStore';
import { useEditStore } from '../stores/editStore';
import { useHistoryStore } from '../stores/historyStore';

/** Unsaved work is never dropped silently: opening another photo asks, and so does a reload or closing the page. */
export function createUnsavedWork() {
  const documentStore = useDocumentStore();
  const editStore = useEditStore();
  const historyStore = useHistoryStore();
  const prompt = useDiscardPrompt();
  /** Saves the work before it would be discarded (the project file); true when it was saved. */
  let saveWork: (() => Promise<boolean>) | null = null;

  function onBeforeUnload(event: BeforeUnloadEvent): void {
    if (!historyStore.isDirty) return;
    event.preventDefault();
    event.returnValue = '';
  }

  /** True when there is no unsaved work, or the user chose to discard it (or saved it). */
  async function mayDiscard(): Promise<boolean> {
    if (!historyStore.isDirty) return true;
    const kept = historyStore.keptCount;
    const results = editStore.results.length;
    const what = [
      kept ? `${kept} kept edit${kept === 1 ? '' : 's'}` : null,
      results ? `${results} result${results === 1 ? '' : 's'}` : null,
      'the region',
    ].filter((part) => part !== null);
    const answer = await prompt.ask(
      `${documentStore.name} has unsaved work (${what.join(', ')}). Opening another photo discards it.`,
      saveWork !== null,
    );
    if (answer === 'save' && saveWork) return saveWork();
    return answer === 'discard';
  }

  /** What "Save" in the unsaved-work question does. */
  function setSaveWork(save: () => Promise<boolean>): void {
    saveWork = save;
  }

  /** Asks before a reload drops unsaved work; returns the stop. */
  function guardUnload(): () => void {
    window.addEventListener('beforeunload', onBeforeUnload);
    return () => window.removeEventListener('beforeunload', onBeforeUnload);
  }

  return { mayDiscard, setSaveWork, guardUnload };
}
