import { randomUUID } from 'node:crypto';
import type { ImageId, ImageInfo } from '../../shared/api';
import type { GrayImage, RgbImage } from '../../shared/image/types';
import type { EditedImage } from '../image/exportEdit';
import type { SourceColour } from '../image/stored';

/** An edit result as the file's own values: the original's bytes, the composited stored values and the recipe. */
export interface StoredEdit extends EditedImage {
  /** The image the edit was made from (its original's decoded values are cached by this id). */
  readonly sourceId: ImageId;
  readonly originalBytes: Uint8Array;
  readonly originalName: string | null;
}

/** Options when adding an RGB image to the store. */
export interface AddImageOptions {
  readonly alpha?: GrayImage | null;
  readonly name?: string | null;
  readonly path?: string | null;
  readonly metadata?: Readonly<Record<string, string>>;
  readonly source?: Uint8Array | null;
  readonly edit?: StoredEdit | null;
  readonly colour?: ImageInfo['colour'];
  /** An `original` becomes the one never forgotten to make room (default); false leaves that one as it is. */
  readonly pin?: boolean;
}

/** The facts about a file's colour that the renderer shows. */
export function colourInfo(colour: SourceColour): NonNullable<ImageInfo['colour']> {
  return { space: colour.space, depth: colour.depth, profile: colour.profileName, warning: colour.warning };
}

/** Bytes an edit holds besides its sRGB pixels (its stored values and region; the original's bytes are shared). */
export function editBytes(edit: StoredEdit | null): number {
  return edit ? edit.image.data.byteLength + edit.region.byteLength : 0;
}

/** A new, unguessable image id. */
export function newImageId(): ImageId {
  return `img_${randomUUID()}` as ImageId;
}

/** A gray image as RGB (each value three times). */
export function grayToRgb(gray: GrayImage): RgbImage {
  const data = new Uint8Array(gray.width * gray.height * 3);
  for (let i = 0, j = 0; i < gray.data.length; i++, j += 3) {
    const v = gray.data[i]!;
    data[j] = v;
    data[j + 1] = v;
    data[j + 2] = v;
  }
  return { width: gray.width, height: gray.height, data };
}
