import { ref } from 'vue';
import type { LicenseInfo, ModelId, ModelProgress } from '../../../../shared/api';
import { modelIdSchema } from '../../../../shared/api';
import { api } from '../../api/client';

/** Runs an action, showing its failure as the sheet's error line. */
export type Guarded = (action: () => Promise<void>) => Promise<void>;

/**
 * Downloads: their progress (from `models:progress`), the licences to accept before the first one, pause, resume,
 * cancel, and deleting what a stopped one left (with the bytes that freed).
 */
export function createDownloads(guarded: Guarded, refresh: () => Promise<void>) {
  const progress = ref<Record<string, ModelProgress>>({});
  /** Licences to show and accept before the download of `ids` starts. */
  const licencePrompt = ref<{ ids: ModelId[]; licenses: LicenseInfo[] } | null>(null);
  /** What the last deletion of a partial download freed, by model id. */
  const freed = ref<Record<string, number>>({});
  let unsubscribe: (() => void) | null = null;

  return {
    progress,
    licencePrompt,
    freed,
    /** Follows download progress; a finished download refreshes the installed list. */
    listen(): void {
      unsubscribe ??= api().on('models:progress', (event) => {
        progress.value = { ...progress.value, [event.modelId]: event };
        // A finished download changes the installed list; a stopped one what is kept on disk.
        if (event.state !== 'downloading' && event.state !== 'verifying' && event.state !== 'quantizing')
          void refresh();
      });
    },
    /**
     * Starts a download; when a licence it needs is not accepted yet, shows the licences (`licencePrompt`) instead,
     * and the download starts only once the user accepts them.
     */
    pull: (ids: string[]) =>
      guarded(async () => {
        const parsed = ids.map((id) => modelIdSchema.parse(id));
        const pending = (await api().models.licenses({ ids: parsed })).licenses.filter((l) => !l.accepted);
        if (pending.length > 0) {
          licencePrompt.value = { ids: parsed, licenses: pending };
          return;
        }
        await api().models.pull({ ids: parsed });
      }),
    /** The user accepted the licences shown: record them (with the hash of what was shown), then download. */
    acceptLicencesAndPull: () =>
      guarded(async () => {
        const prompt = licencePrompt.value;
        if (!prompt) return;
        const licenses = prompt.licenses.map((l) => ({ id: l.id, sha256: l.sha256 }));
        await api().models.acceptLicenses({ licenses });
        licencePrompt.value = null;
        await api().models.pull({ ids: prompt.ids });
      }),
    declineLicences(): void {
      licencePrompt.value = null;
    },
    pause: (id: string) => guarded(async () => void (await api().models.pause({ id: modelIdSchema.parse(id) }))),
    cancel: (id: string) => guarded(async () => void (await api().models.cancel({ id: modelIdSchema.parse(id) }))),
    /** Starts making the int8 variant of `id` (its progress arrives under the variant's id). */
    quantize: (id: string) => guarded(async () => void (await api().models.quantize({ id: modelIdSchema.parse(id) }))),
    /** Starts making the fp32 variant of fp16 model `id` (its progress arrives under the variant's id). */
    widen: (id: string) => guarded(async () => void (await api().models.widen({ id: modelIdSchema.parse(id) }))),
    /** Deletes what a stopped download of `id` left; remembers the bytes freed and forgets its progress. */
    deletePartial: (id: string) =>
      guarded(async () => {
        const { freedBytes } = await api().models.deletePartial({ id: modelIdSchema.parse(id) });
        const { [id]: _gone, ...others } = progress.value;
        progress.value = others;
        freed.value = { ...freed.value, [id]: freedBytes };
        await refresh();
      }),
  };
}
