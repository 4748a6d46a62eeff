import { type Ref, ref, shallowRef, watch } from 'vue';
import type { CompareMetrics, ImageId } from '../../../shared/api';
import { api } from '../api/client';
import { useMaskLayer } from '../composables/useMaskLayer';
import { describeError } from '../editing/errorMessages';
import { useDocumentStore } from '../stores/documentStore';
import { useEditStore } from '../stores/editStore';

/** The compare bar's metrics of the selected result against the base, asked again whenever either changes. */
export function useCompareMetrics(): {
  metrics: Ref<CompareMetrics | null>;
  isMeasuring: Ref<boolean>;
  error: Ref<string | null>;
} {
  const editStore = useEditStore();
  const documentStore = useDocumentStore();
  const layer = useMaskLayer();
  const metrics = shallowRef<CompareMetrics | null>(null);
  const isMeasuring = ref(false);
  const error = ref<string | null>(null);
  let asked = 0;

  async function measure(originalId: ImageId, resultId: ImageId, prompt: string): Promise<void> {
    const roi = layer.effectiveRoi();
    if (!roi) return;
    const request = ++asked;
    isMeasuring.value = true;
    try {
      const value = await api().metrics.compare({
        originalId,
        resultId,
        roi: { mask: roi },
        prompt,
      });
      if (request === asked) metrics.value = value;
    } catch (caught) {
      if (request === asked) error.value = describeError(caught).text;
    } finally {
      if (request === asked) isMeasuring.value = false;
    }
  }

  watch(
    () => [documentStore.base?.id, editStore.selectedResult?.id] as const,
    ([baseId, resultId]) => {
      metrics.value = null;
      error.value = null;
      asked++;
      isMeasuring.value = false;
      const result = editStore.selectedResult;
      if (baseId && resultId && result) void measure(baseId, resultId, result.prompt);
    },
    { immediate: true },
  );
  return { metrics, isMeasuring, error };
}
