import type { ImageId, ImageInfo } from '../../../shared/api';
import { api } from '../api/client';
import { useDocumentPixels } from '../composables/useDocumentPixels';
import { describeError } from '../editing/errorMessages';
import { useDocumentStore } from '../stores/documentStore';

/**
 * The images that were a base of the open document (the photo and every kept result), and showing one of them:
 * undo, redo and restore switch between them without asking main again.
 */
export function createBaseImages() {
  const documentStore = useDocumentStore();
  const pixels = useDocumentPixels();
  const infos = new Map<ImageId, ImageInfo>();

  async function infoOf(id: ImageId): Promise<ImageInfo> {
    const info = infos.get(id) ?? (await api().images.info({ id }));
    infos.set(id, info);
    return info;
  }

  /** A new document: only its photo is known. */
  function reset(info: ImageInfo): void {
    infos.clear();
    infos.set(info.id, info);
  }

  /** Makes `id` the base on screen; a failure is the document's error. */
  async function show(id: ImageId): Promise<void> {
    try {
      documentStore.base = await infoOf(id);
      await pixels.setBase(id);
    } catch (caught) {
      documentStore.error = describeError(caught).text;
    }
  }

  return { reset, infoOf, show };
}

export type BaseImages = ReturnType<typeof createBaseImages>;
