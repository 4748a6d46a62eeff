import { ref } from 'vue';
import { modelIdSchema } from '../../../../shared/api';
import { api } from '../../api/client';
import { describeError } from '../../editing/errorMessages';

/** Importing a local model folder, with why the last import failed (shown next to the Import button). */
export function createModelImport(refresh: () => Promise<void>) {
  const importError = ref<string | null>(null);
  return {
    importError,
    async importFolder(path: string, id: string, mode: 'copy' | 'link'): Promise<void> {
      const parsed = modelIdSchema.safeParse(id.trim());
      if (!parsed.success) {
        importError.value = `“${id}” cannot be a model id: ${parsed.error.issues[0]?.message ?? 'not accepted'}.`;
        return;
      }
      try {
        await api().models.import({ path, id: parsed.data, mode });
        importError.value = null;
        await refresh();
      } catch (caught) {
        importError.value = describeError(caught).text;
      }
    },
  };
}
