import { api } from '../api/client';
import { useDocumentStore } from '../stores/documentStore';
import { useEditStore } from '../stores/editStore';
import type { BatchItem } from '../stores/batchStore';
import { bitmapToMask } from './imagePixels';
import { useDocumentPixels } from './useDocumentPixels';
import { useDocumentSession } from './useDocumentSession';
import { useMaskLayer } from './useMaskLayer';

/**
 * "Open in editor" for a Batch sheet photo: main reopens it from where the batch keeps it, the photo becomes the
 * document (asking first if the current one has unsaved work), its found region the mask (fix it by hand), and its
 * result the first of the strip; Generate then regenerates just that photo. Answers false when the user kept the
 * current document (what was reopened is let go again).
 */
export async function openBatchItem(batchId: string, item: BatchItem, prompt: string): Promise<boolean> {
  const session = useDocumentSession();
  const documentStore = useDocumentStore();
  const editStore = useEditStore();
  const layer = useMaskLayer();
  const opened = await api().batch.open({ batchId, index: item.index });
  await session.adopt(await api().images.info({ id: opened.imageId }));
  if (documentStore.base?.id !== opened.imageId) {
    for (const id of [opened.imageId, opened.maskId, opened.resultId]) {
      if (id !== null) await api().images.release({ id });
    }
    return false;
  }
  editStore.prompt = prompt;
  if (opened.maskId) {
    layer.replace('roi', 'batch region', bitmapToMask(await useDocumentPixels().bitmap(opened.maskId)));
  }
  if (opened.resultId) {
    const provider = item.provider ?? 'this machine';
    editStore.absorb({
      kind: 'edit',
      resultIds: [opened.resultId],
      seeds: [],
      provider,
      ...(item.worker === null ? {} : { worker: item.worker }),
    });
  }
  return true;
}
