import { getActivePinia, type Pinia } from 'pinia';
import { ref } from 'vue';
import { api } from '../api/client';
import { describeError } from '../editing/errorMessages';
import { createProjectAutosave } from '../session/projectAutosave';
import { createProjectContents, downloadable, missingMessage } from '../session/projectContents';
import { useDocumentStore } from '../stores/documentStore';
import { useHistoryStore } from '../stores/historyStore';
import { useModelsStore } from '../stores/modelsStore';
import { downloadBlob } from './imagePixels';
import { useDocumentSession } from './useDocumentSession';

/** Save and Open of `.iirproj` files, over what a project holds (../session/projectContents.ts) and autosave. */
function createProjectFile() {
  const documentStore = useDocumentStore();
  const historyStore = useHistoryStore();
  const session = useDocumentSession();
  /** A line for the user: where the work went, which models a project needs, a failure. */
  const message = ref<string | null>(null);
  /** The catalog models an opened project needs that are not installed: offered for download beside `message`. */
  const missingDownloads = ref<string[]>([]);
  const contents = createProjectContents(session);
  const autosave = createProjectAutosave(contents, message);

  /** Saves the document as a `.iirproj` download (the desktop app asks where); true when it was saved. */
  async function save(): Promise<boolean> {
    const body = contents.request('download');
    if (!body) return false;
    try {
      const { bytes } = await api().projects.save(body);
      if (!bytes) return false;
      downloadBlob(
        new Blob([bytes as Uint8Array<ArrayBuffer>]),
        `${documentStore.name.replace(/\.[^.]+$/, '')}.iirproj`,
      );
      historyStore.markSaved();
      message.value = null;
      return true;
    } catch (caught) {
      message.value = `The project was not saved: ${describeError(caught).text}`;
      return false;
    }
  }

  /** Opens a `.iirproj` (asking first when that would discard unsaved work). */
  async function open(file: File): Promise<void> {
    if (!(await session.mayDiscard())) return;
    try {
      const opened = await api().projects.open({ bytes: new Uint8Array(await file.arrayBuffer()) });
      const missing = contents.show(opened);
      missingDownloads.value = downloadable(missing);
      message.value = missingMessage(missing, missingDownloads.value.length);
    } catch (caught) {
      message.value = `${file.name} could not be opened: ${describeError(caught).text}`;
    }
  }

  /** Downloads the models the opened project needs (the licences first, as every download). */
  async function downloadMissing(): Promise<void> {
    const ids = missingDownloads.value;
    missingDownloads.value = [];
    message.value = null;
    await useModelsStore().pull(ids);
  }

  return { message, missingDownloads, downloadMissing, save, open, ...autosave };
}

/** The project file of each Pinia instance: the app has one; a test's fresh Pinia starts afresh. */
const projectFiles = new WeakMap<Pinia, ReturnType<typeof createProjectFile>>();

/** `.iirproj` projects: Save, Open, autosave to the user-data folder and recovery after a crash (one per app). */
export function useProjectFile(): ReturnType<typeof createProjectFile> {
  const pinia = getActivePinia();
  if (!pinia) throw new Error('projects need Pinia: install it before using the project file');
  let projectFile = projectFiles.get(pinia);
  if (!projectFile) {
    projectFile = createProjectFile();
    projectFiles.set(pinia, projectFile);
  }
  return projectFile;
}
