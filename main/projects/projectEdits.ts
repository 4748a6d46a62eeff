/**
 * An edit result inside a project, both ways: saved as the file its source's terms give (the one a later edit starts
 * from: PNG, TIFF and WebP losslessly, a JPEG with only touched blocks re-encoded, a CMYK JPEG as TIFF) with what
 * rebuilds its stored edit (region, recipe, source, and a JPEG's stored values), and rebuilt from them on open.
 */
import type { ImageId, ImageInfo, ProjectManifest } from '../../shared/api';
import { projectFiles } from '../../shared/api/projects';
import { invalidArgument } from '../../shared/errors';
import type { EditRecipe } from '../engine/recipe';
import { decodeImage, openImage } from '../image/decode';
import { encodeGrayPng } from '../image/encode';
import { encodeStored } from '../image/exportStored';
import type { ImageStore } from '../services/images';
import { colourInfo, newImageId } from '../services/storedEdits';
import { decodeMask } from './projectFile';

type SavedImage = ProjectManifest['images'][number];

/** The extension of an encoded file the export writes, by its first bytes. */
function extensionOf(bytes: Uint8Array): 'png' | 'jpg' | 'tif' | 'webp' {
  if (bytes[0] === 0xff && bytes[1] === 0xd8) return 'jpg';
  if (bytes[0] === 0x89 && bytes[1] === 0x50) return 'png';
  if (bytes[0] === 0x52 && bytes[1] === 0x49) return 'webp';
  if ((bytes[0] === 0x49 && bytes[1] === 0x49) || (bytes[0] === 0x4d && bytes[1] === 0x4d)) return 'tif';
  throw new Error('an edit result was encoded in an unknown format');
}

const noMetadata = { exif: null, exifTree: null, xmp: null, iptc: null, icc: null, orientation: 1 };

/**
 * How the image behind `key` is saved: its manifest entry (file and edit) and the files it needs. `keys`: the
 * project key of each image the project holds, to name an edit's source.
 */
export async function packImage(
  images: ImageStore,
  id: ImageId,
  image: SavedImage,
  keys: ReadonlyMap<ImageId, string>,
): Promise<{ image: SavedImage; files: [string, Uint8Array][] }> {
  const { key } = image;
  const edit = images.storedEdit(id);
  if (!edit) return { image: { key, recipe: image.recipe }, files: [[projectFiles.image(key), await images.png(id)]] };
  const bytes = await images.encoded(id);
  const extension = extensionOf(bytes);
  const file = projectFiles.editFile(key, extension);
  const { width, height } = edit.image;
  const files: [string, Uint8Array][] = [
    [file, bytes],
    [projectFiles.editRegion(key), await encodeGrayPng({ width, height, data: edit.region })],
  ];
  // A JPEG's values are not its file's own inside the touched blocks: they are kept as they were composited.
  const values = extension === 'jpg';
  if (values) {
    const options = { format: 'png', text: {}, removeLocation: false } as const;
    files.push([projectFiles.editValues(key), (await encodeStored(edit.image, noMetadata, null, options)).bytes]);
  }
  const source = keys.get(edit.sourceId) ?? null;
  if (source === null) files.push([projectFiles.editSource(key), edit.originalBytes]);
  const recipe = edit.recipe as unknown as Record<string, unknown>;
  return { image: { key, recipe: image.recipe, file, edit: { source, values, recipe } }, files };
}

/** An opened project's images: each one's info in the store and the bytes a later edit of it starts from. */
export interface OpenedImage {
  readonly info: ImageInfo;
  readonly bytes: Uint8Array;
}

/**
 * Puts a saved image in the store as a result: an edit with its stored edit rebuilt (its source opened first, by
 * `sourceOf`), else its pixels as a plain result.
 */
export async function openSavedImage(
  images: ImageStore,
  image: SavedImage,
  need: (name: string) => Uint8Array,
  sourceOf: (key: string) => Promise<OpenedImage>,
  originalName: string,
): Promise<OpenedImage> {
  const bytes = need(image.file ?? projectFiles.image(image.key));
  const decoded = await decodeImage(bytes, { name: image.file ?? `${image.key}.png` });
  if (!image.edit) return { info: images.addRgb('result', decoded.rgb, { alpha: decoded.alpha }), bytes };
  const { key, edit } = image;
  const source = edit.source === null ? null : await sourceOf(edit.source);
  const originalBytes = source?.bytes ?? need(projectFiles.editSource(key));
  const stored = await (await openImage(edit.values ? need(projectFiles.editValues(key)) : bytes)).decodeStored();
  const region = await decodeMask(need(projectFiles.editRegion(key)), stored.width, stored.height, `${key}'s region`);
  const colour = source?.info.colour ?? colourInfo((await openImage(originalBytes)).colour);
  const info = images.addRgb('result', decoded.rgb, {
    alpha: decoded.alpha,
    name: originalName,
    // The file a later edit starts from: the bytes it was saved as, which are the ones made before saving.
    source: bytes,
    colour,
    edit: {
      image: stored,
      region: region.data,
      recipe: edit.recipe as unknown as EditRecipe,
      sourceId: source?.info.id ?? newImageId(),
      originalBytes,
      originalName,
    },
  });
  return { info, bytes };
}

/** Opens every saved image, each edit after the image it was edited from (answers them in manifest order). */
export async function openSavedImages(
  images: ImageStore,
  manifest: ProjectManifest,
  need: (name: string) => Uint8Array,
  original: OpenedImage,
): Promise<{ key: string; info: ImageInfo }[]> {
  const byKey = new Map(manifest.images.map((image) => [image.key, image]));
  const opened = new Map<string, OpenedImage>([['original', original]]);
  const opening = new Set<string>();
  const open = async (key: string): Promise<OpenedImage> => {
    const done = opened.get(key);
    if (done) return done;
    const image = byKey.get(key);
    if (!image || opening.has(key)) {
      throw invalidArgument(`this project file is damaged (an edit's source ${key} is missing or circular)`);
    }
    opening.add(key);
    const made = await openSavedImage(images, image, need, open, manifest.original.name);
    opened.set(key, made);
    return made;
  };
  const result: { key: string; info: ImageInfo }[] = [];
  for (const image of manifest.images) result.push({ key: image.key, info: (await open(image.key)).info });
  return result;
}
