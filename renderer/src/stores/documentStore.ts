import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import type { ImageId, ImageInfo } from '../../../shared/api';
import { api } from '../api/client';
import { describeError } from '../editing/errorMessages';
import { releaseImages } from './imageRelease';

/** An edit that was kept: the result that became the base, and how it was made. */
export interface KeptEdit {
  readonly resultId: ImageId;
  readonly previousBaseId: ImageId;
  readonly prompt: string;
  readonly seed: number;
}

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

/** The open photo: the original, the current base (the last kept result), the kept edits, recent files. */
export const useDocumentStore = defineStore('document', () => {
  const original = ref<ImageInfo | null>(null);
  const base = ref<ImageInfo | null>(null);
  const kept = ref<KeptEdit[]>([]);
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

  /** Every image id the document refers to: the original, the base and the kept edits with their bases. */
  function heldIds(): Set<ImageId> {
    const ids = kept.value.flatMap((edit) => [edit.resultId, edit.previousBaseId]);
    for (const info of [original.value, base.value]) if (info) ids.push(info.id);
    return new Set(ids);
  }

  /** A new photo replaces the document: main forgets the images of the old one. */
  function adopt(info: ImageInfo): void {
    const previous = heldIds();
    original.value = info;
    base.value = info;
    kept.value = [];
    error.value = null;
    remember(info.path);
    releaseImages([...previous], new Set([info.id]));
  }

  async function open(request: { path: string } | { bytes: Uint8Array<ArrayBuffer>; name?: string }): Promise<boolean> {
    isOpening.value = true;
    try {
      adopt(await api().images.open(request));
      return true;
    } catch (caught) {
      error.value = describeError(caught).text;
      return false;
    } finally {
      isOpening.value = false;
    }
  }

  /** A result becomes the new base. */
  async function keep(resultId: ImageId, recipe: { prompt: string; seed: number }): Promise<void> {
    if (!base.value) return;
    try {
      const info = await api().images.info({ id: resultId });
      kept.value = [...kept.value, { resultId, previousBaseId: base.value.id, ...recipe }];
      base.value = info;
    } catch (caught) {
      error.value = describeError(caught).text;
    }
  }

  /** Goes back to the base before the last kept edit. */
  async function revert(): Promise<void> {
    const last = kept.value.at(-1);
    if (!last) return;
    try {
      base.value = await api().images.info({ id: last.previousBaseId });
      kept.value = kept.value.slice(0, -1);
    } catch (caught) {
      error.value = describeError(caught).text;
    }
  }

  return { original, base, kept, recent, isOpening, error, name, hasPhoto, heldIds, adopt, open, keep, revert };
});
