import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import type { ImageId, ImageInfo } from '../../../shared/api';
import { api } from '../api/client';
import { describeError } from '../editing/errorMessages';
import { useEditStore } from './editStore';
import { useHistoryStore } from './historyStore';
import { releaseImages } from './imageRelease';

const recentKey = 'iir.recentFiles';
const recentLimit = 8;

function readRecent(): string[] {
  try {
    const parsed: unknown = JSON.parse(localStorage.getItem(recentKey) ?? '[]');
    return Array.isArray(parsed) ? parsed.filter((item): item is string => typeof item === 'string') : [];
  } catch {
    return [];
  }
}

/** The open photo: the original, the current base (the last kept result), recent files. Kept edits are steps of the
 * history (`historyStore`). */
export const useDocumentStore = defineStore('document', () => {
  const original = ref<ImageInfo | null>(null);
  const base = ref<ImageInfo | null>(null);
  const recent = ref<string[]>(readRecent());
  const isOpening = ref(false);
  const error = ref<string | null>(null);

  const name = computed(() => original.value?.name ?? 'Untitled');
  const hasPhoto = computed(() => base.value !== null);

  function remember(path: string | null): void {
    if (path === null) return;
    recent.value = [path, ...recent.value.filter((item) => item !== path)].slice(0, recentLimit);
    localStorage.setItem(recentKey, JSON.stringify(recent.value));
  }

  /** The images the document refers to now: the original and the base it shows. */
  function heldIds(): Set<ImageId> {
    return new Set([original.value?.id, base.value?.id].filter((id): id is ImageId => id !== undefined));
  }

  /** A new photo replaces the document: main forgets the old one's images (original, bases, results). */
  function adopt(info: ImageInfo): void {
    const previous = [...heldIds(), ...useHistoryStore().baseIds(), ...useEditStore().results.map((r) => r.id)];
    releaseImages(previous, new Set([info.id]));
    original.value = info;
    base.value = info;
    error.value = null;
    remember(info.path);
  }

  /** Opens a photo; null (and `error` says why) when it could not be opened. */
  async function open(
    request: { path: string } | { bytes: Uint8Array<ArrayBuffer>; name?: string },
  ): Promise<ImageInfo | null> {
    isOpening.value = true;
    error.value = null;
    try {
      const info = await api().images.open(request);
      adopt(info);
      return info;
    } catch (caught) {
      error.value = describeError(caught).text;
      return null;
    } finally {
      isOpening.value = false;
    }
  }

  return { original, base, recent, isOpening, error, name, hasPhoto, heldIds, adopt, open };
});
