import { watch } from 'vue';
import { subtractMask, unionMasks } from '../../../shared/image/mask';
import { describeError } from '../editing/errorMessages';
import { useDocumentStore } from '../stores/documentStore';
import { useEditStore } from '../stores/editStore';
import { useHistoryStore } from '../stores/historyStore';
import { useJobsStore } from '../stores/jobsStore';
import { useMaskStore } from '../stores/maskStore';
import { useRoiStore } from '../stores/roiStore';
import { bitmapToMask } from './imagePixels';
import { useDocumentPixels } from './useDocumentPixels';
import { useMaskLayer } from './useMaskLayer';

/**
 * Hands finished jobs to the document: a found region joins the mask as one undo step; an edit's variations join
 * the results strip and the history. Returns the function that stops it.
 */
export function watchJobResults(): () => void {
  const documentStore = useDocumentStore();
  const editStore = useEditStore();
  const historyStore = useHistoryStore();
  const jobs = useJobsStore();
  const maskStore = useMaskStore();
  const roiStore = useRoiStore();
  const layer = useMaskLayer();
  const pixels = useDocumentPixels();

  const stopSegment = watch(
    () => jobs.flows.segment,
    async (flow) => {
      if (flow.status !== 'completed' || flow.result.kind !== 'segment') return;
      const result = flow.result;
      try {
        const found = bitmapToMask(await pixels.bitmap(result.maskId));
        const current = layer.masks.value?.roi;
        if (!current) return;
        const merge = roiStore.pendingMerge;
        const next =
          merge === 'replace' ? found : merge === 'add' ? unionMasks(current, found) : subtractMask(current, found);
        layer.replace('roi', `find (${merge})`, next);
        roiStore.absorb(result);
      } catch (caught) {
        maskStore.error = describeError(caught).text;
      }
    },
  );
  const stopEdit = watch(
    () => jobs.flows.edit,
    (flow) => {
      const base = documentStore.base;
      if (flow.status !== 'completed' || flow.result.kind !== 'edit' || !base) return;
      const added = editStore.absorb(flow.result);
      const recipe = added[0]?.recipe;
      if (recipe) historyStore.push({ kind: 'generate', resultIds: added.map((r) => r.id), recipe }, base.id);
    },
  );
  return () => {
    stopSegment();
    stopEdit();
  };
}
