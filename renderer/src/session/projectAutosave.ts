import { ref, watch, type Ref } from 'vue';
import type { ProjectOpened } from '../../../shared/api';
import { api } from '../api/client';
import { describeError } from '../editing/errorMessages';
import { useHistoryStore } from '../stores/historyStore';
import { type ProjectContents, downloadable, missingMessage } from './projectContents';

/** How often unsaved work is autosaved (ms). */
const autosaveIntervalMs = 30_000;

/**
 * Autosave to the user-data folder (every 30 s and after every Keep, only when the history changed since the last
 * one) and recovery of what a session that did not end cleanly left.
 */
export function createProjectAutosave(contents: ProjectContents, message: Ref<string | null>) {
  const historyStore = useHistoryStore();
  /** An autosave left by a session that did not end cleanly, waiting for Recover or Discard. */
  const recoverable = ref<ProjectOpened | null>(null);
  let autosavedVersion = -1;
  let timer: ReturnType<typeof setInterval> | null = null;
  let stopWatch: (() => void) | null = null;

  async function autosave(): Promise<void> {
    if (!historyStore.isDirty || historyStore.version === autosavedVersion) return;
    const body = contents.request('autosave');
    if (!body) return;
    const version = historyStore.version;
    try {
      await api().projects.save(body);
      autosavedVersion = version;
    } catch (caught) {
      message.value = `Autosave failed: ${describeError(caught).text}`;
    }
  }

  /** Autosaves every 30 s and after every Keep; offers what a crashed session left. */
  async function start(): Promise<void> {
    timer ??= setInterval(() => void autosave(), autosaveIntervalMs);
    stopWatch ??= watch(
      () => historyStore.keptCount,
      () => void autosave(),
    );
    try {
      recoverable.value = (await api().projects.recover({})).project;
    } catch (caught) {
      message.value = `The autosaved work could not be read: ${describeError(caught).text}`;
    }
  }

  function stop(): void {
    if (timer) clearInterval(timer);
    stopWatch?.();
    timer = null;
    stopWatch = null;
  }

  /** Brings back the autosaved work, or forgets it. */
  async function settleRecovery(choice: 'recover' | 'discard'): Promise<void> {
    const project = recoverable.value;
    recoverable.value = null;
    if (project && choice === 'recover') {
      const missing = contents.show(project);
      message.value = missingMessage(missing, downloadable(missing).length);
    }
    await api().projects.discardAutosave({});
    if (project && choice === 'recover') await autosave();
  }

  return { recoverable, autosave, start, stop, settleRecovery };
}
