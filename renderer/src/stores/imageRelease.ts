import type { ImageId } from '../../../shared/api';
import { api } from '../api/client';
import { useDocumentPixels } from '../composables/useDocumentPixels';

/**
 * Drops the page's pixels of images it no longer shows and tells main to forget them, except those in `keep`.
 * Fire and forget: a failed release only costs memory, which main's byte budget bounds anyway.
 */
export function releaseImages(ids: readonly (ImageId | null | undefined)[], keep: ReadonlySet<ImageId>): void {
  const pixels = useDocumentPixels();
  for (const id of new Set(ids)) {
    if (!id || keep.has(id)) continue;
    pixels.forget(id);
    void api()
      .images.release({ id })
      .catch(() => undefined);
  }
}
