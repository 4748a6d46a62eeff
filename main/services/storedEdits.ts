import type { ImageInfo, StoredDifference } from '../../shared/api';
import { openImage, type ImageSource } from '../image/decode';
import type { EditedImage } from '../image/exportEdit';
import type { SourceColour, StoredPixels } from '../image/stored';

/** An edit result as the file's own values: the original's bytes, the composited stored values and the recipe. */
export interface StoredEdit extends EditedImage {
  readonly originalBytes: Uint8Array;
  readonly originalName: string | null;
}

/** The facts about a file's colour that the renderer shows. */
export function colourInfo(colour: SourceColour): NonNullable<ImageInfo['colour']> {
  return { space: colour.space, depth: colour.depth, profile: colour.profileName, warning: colour.warning };
}

/** Counts stored-value differences (stored orientation); `region` non-zero where the edit may change values. */
export function storedDifference(a: StoredPixels, b: StoredPixels, region: Uint8Array): StoredDifference {
  let changedPixels = 0;
  let changedOutsideRegion = 0;
  let maxDifference = 0;
  const { channels } = a;
  for (let i = 0, p = 0; i < region.length; i++, p += channels) {
    let d = 0;
    for (let c = 0; c < channels; c++) d = Math.max(d, Math.abs(a.data[p + c]! - b.data[p + c]!));
    if (d === 0) continue;
    changedPixels++;
    if (region[i] === 0) changedOutsideRegion++;
    if (d > maxDifference) maxDifference = d;
  }
  return { changedPixels, changedOutsideRegion, maxDifference, depth: a.depth };
}

/** The original file an edit was made from, opened again from its bytes. */
export function openEditSource(edit: StoredEdit): Promise<ImageSource> {
  return openImage(edit.originalBytes, edit.originalName === null ? {} : { name: edit.originalName });
}

/** Bytes an edit holds besides its sRGB pixels (its stored values and region; the original's bytes are shared). */
export function editBytes(edit: StoredEdit | null): number {
  return edit ? edit.image.data.byteLength + edit.region.byteLength : 0;
}
