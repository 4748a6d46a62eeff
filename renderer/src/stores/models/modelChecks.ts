import { type Ref, ref } from 'vue';
import type { ResponseOf } from '../../../../shared/api';
import { api } from '../../api/client';
import type { Guarded } from './downloads';

/** How an installed model stands after the last check: its files and its role's contract. */
export type ModelHealth = 'unchecked' | 'verified' | 'unchanged' | 'failed';

/** Checking the installed models' files (hashes) and role contracts, and how each stands since. */
export function createModelChecks(guarded: Guarded, installed: Ref<ResponseOf<'models:installed'>['models']>) {
  const verify = ref<Record<string, { ok: boolean; problems: string[] }>>({});
  return {
    verify,
    verifyAll: () =>
      guarded(async () => {
        const { results } = await api().models.verify({});
        verify.value = Object.fromEntries(results.map((r) => [r.id, { ok: r.ok, problems: r.problems }]));
      }),
    /** A model that failed its last check is never "Installed" nor "Verified". */
    health(id: string): ModelHealth {
      const result = verify.value[id];
      if (!result) return 'unchecked';
      if (!result.ok) return 'failed';
      return installed.value.find((model) => model.id === id)?.verification === 'verified' ? 'verified' : 'unchanged';
    },
  };
}
