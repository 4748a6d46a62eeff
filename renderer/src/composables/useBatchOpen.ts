import { api } from '../api/client';
import { useDocumentStore } from '../stores/documentStore';
import { useEditStore } from '../stores/editStore';
import type { BatchItem } from '../stores/batchStore';
import { bitmapToMask } from './imagePixels';
import { useDocumentPixels } from './useDocumentPixels';
import { useDocumentSession } from './useDocumentSession';
import { useMaskLayer } from './useMaskLayer';

/**
 * "Open in editor" for a Batch sheet photo: the photo becomes the document (asking first if the current one has
 * unsaved work), its found region the mask (fix it by hand), and its result the first of the strip; Generate then
 * regenerates just that photo. Answers false when the user kept the current document.
 */
export async function openBatchItem(item: BatchItem, prompt: string): Promise<boolean> {
  const session = useDocumentSession();
  const documentStore = useDocumentStore();
  const editStore = useEditStore();
  const layer = useMaskLayer();
  await session.adopt(await api().images.info({ id: item.imageId }));
  if (documentStore.base?.id !== item.imageId) return false;
  editStore.prompt = prompt;
  if (item.maskId) layer.replace('roi', 'batch region', bitmapToMask(await useDocumentPixels().bitmap(item.maskId)));
  if (item.resultId) {
    editStore.absorb({ kind: 'edit', resultIds: [item.resultId], seeds: [], provider: item.worker ?? 'batch' });
  }
  return true;
}
