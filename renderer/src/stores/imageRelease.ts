import type { ImageId } from '../../../shared/api';
import { api } from '../api/client';

/**
 * Tells main to forget images the page no longer shows, except those in `keep`. Fire and forget: a failed release
 * only costs memory, which main's byte budget bounds anyway.
 */
export function releaseImages(ids: readonly (ImageId | null | undefined)[], keep: ReadonlySet<ImageId>): void {
  for (const id of new Set(ids)) {
    if (id && !keep.has(id))
      void api()
        .images.release({ id })
        .catch(() => undefined);
  }
}
