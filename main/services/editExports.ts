/**
 * What the export panel shows before writing (what an export keeps of an edit's source and what it cannot), and
 * the difference view's counts in the source's stored values.
 */
import type { ExportPlan } from '../../shared/api';
import { type IirError, invalidArgument } from '../../shared/errors';
import type { ImageSource } from '../image/decode';
import { storedAlike, storedDifferenceMap, type StoredDifferenceMap } from '../image/differenceMap';
import { defaultExportFormat, editExportNotes, exportEdit, keepsJpegBlocks, keptJpegNote } from '../image/exportEdit';
import { wholeJpegNote, type ExportFormat } from '../image/exportStored';
import { planJpegBlocks } from '../image/jpeg';
import { removeGpsInPlace } from '../image/meta/exif';
import { removeXmpGps } from '../image/meta/xmp';
import type { StoredPixels } from '../image/stored';
import type { StoredEdit } from './storedEdits';

/** Said before exporting an image that is not an edit (the file's own terms are kept for edits). */
export const notEditedNote =
  'Not an edit: exported as its 8-bit sRGB rendering, without the file\u2019s profile and metadata';

/** The facts about an edit's source that the export panel shows. */
export function sourceFacts(source: ImageSource): NonNullable<ExportPlan['source']> {
  const { exif, xmp, iptc } = source.meta;
  const metadata = [exif && 'EXIF', xmp && 'XMP', iptc && 'IPTC'].filter((kind): kind is string => !!kind);
  const hasLocation = (exif !== null && removeGpsInPlace(exif) !== exif) || (xmp !== null && removeXmpGps(xmp) !== xmp);
  return {
    format: defaultExportFormat(source.info.format),
    space: source.colour.space,
    depth: source.colour.depth,
    profile: source.colour.profileName,
    metadata,
    hasLocation,
  };
}

/**
 * What exporting `edit` (of `source`) as `format` will write, before writing: the source's facts, the notes of what
 * the format cannot keep, and for JPEG → JPEG the number of MCUs to re-encode, or why the whole image must be
 * (arithmetic, lossless or 12-bit files; CMYK blocks that need re-encoding), which is also a note.
 */
export function exportPlan(
  source: ImageSource,
  edit: StoredEdit,
  format: ExportFormat,
  keepBlocks: boolean,
): ExportPlan {
  let notes = editExportNotes(source, format, keepBlocks);
  let jpegBlocks: ExportPlan['jpegBlocks'] = null;
  if (keepsJpegBlocks(source, format, keepBlocks)) {
    const planned = planJpegBlocks(source.bytes, edit.region);
    jpegBlocks = planned;
    // The block counts are shown beside "Keep untouched blocks"; a fallback is a note of its own.
    notes = notes.flatMap((note) =>
      note !== keptJpegNote ? [note] : 'fallback' in planned ? [`${wholeJpegNote} (${planned.fallback})`] : [],
    );
  }
  return { notes, source: sourceFacts(source), jpegBlocks };
}

/**
 * The file a later edit of `edit` starts from (the result kept, then edited again): the edit in its source's own
 * terms and family, without loss beyond the format's own: PNG, TIFF and WebP losslessly (profile, depth, metadata),
 * a JPEG with its untouched blocks kept and only the touched ones re-encoded, as an export would write it (a JPEG
 * whose blocks cannot be kept, such as CMYK, goes to a lossless TIFF rather than be re-encoded whole).
 */
export async function editAsSourceFile(source: ImageSource, edit: StoredEdit): Promise<Uint8Array> {
  let format = defaultExportFormat(source.info.format);
  if (format === 'jpeg' && 'fallback' in planJpegBlocks(source.bytes, edit.region)) format = 'tiff';
  const options = { format, withoutRecipe: true, ...(format === 'webp' ? { lossless: true } : {}) } as const;
  return (await exportEdit(source, edit, options)).bytes;
}

/** An edit compared with an image that is neither its source nor another edit of that source. */
export function notComparable(): IirError {
  return invalidArgument(
    'an edit is compared in the file\u2019s stored values with the image it was edited from or another edit of it',
  );
}

/** Counts and a heat map of `edit` against `basis`, in stored values; refuses values that are not alike. */
export function editDifference(source: ImageSource, edit: StoredEdit, basis: StoredPixels): StoredDifferenceMap {
  if (!storedAlike(basis, edit.image)) {
    throw invalidArgument('the two images do not hold the same kind of stored values and cannot be compared');
  }
  return storedDifferenceMap(basis, edit.image, edit.region, source.info.orientation);
}

/** How an image is encoded for export. */
export interface ExportOptions {
  readonly format: ExportFormat;
  /** JPEG/WebP quality, 1–100 (PNG and TIFF ignore it); absent: a JPEG source's estimate, else 92 / 90. */
  readonly quality?: number | undefined;
  /** Embed the edit recipe (results). */
  readonly metadata: boolean;
  /** Leave GPS tags out (results; recorded in the recipe). */
  readonly removeLocation?: boolean;
  /** JPEG → JPEG: keep the untouched blocks' compressed data (default true). */
  readonly keepBlocks?: boolean;
}
