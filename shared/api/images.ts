import { z } from 'zod';
import { imageIdSchema } from './ids';
import { filePathSchema } from './paths';

/** What a stored image is; each is fetched by id through the `app:` scheme or `GET /image/:id`. */
export const imageKinds = ['original', 'working', 'mask', 'iir', 'canny', 'control', 'preview', 'result'] as const;
/** One of {@link imageKinds}. */
export type ImageKind = (typeof imageKinds)[number];

/** The largest file the app accepts through `images:open` with bytes (the same bound applies to paths). */
export const maxImageBytes = 256 * 1024 * 1024;

/** Bytes (any Uint8Array, including a Node Buffer or a view of a shared buffer). */
export const bytesSchema = z.custom<Uint8Array>(
  (value) => value instanceof Uint8Array,
  'expected bytes (a Uint8Array)',
);

/** Facts about a stored image; its pixels stay in main. */
export const imageInfoSchema = z.object({
  id: imageIdSchema,
  kind: z.enum(imageKinds),
  /** Size in the image's own pixels (imagePx for originals and results, workingPx for working-frame images). */
  width: z.number().int().positive(),
  height: z.number().int().positive(),
  hasAlpha: z.boolean(),
  /** File name shown to the user (no folder), or null for generated images. */
  name: z.string().nullable(),
  /** The file it was opened from, or null. */
  path: z.string().nullable(),
  /**
   * What an opened file (or an edit of one) stores: colour model, bits per channel and profile. The pixels fetched
   * by id are always an 8-bit sRGB rendering of it; exports keep the file's own values.
   */
  colour: z
    .object({
      space: z.enum(['rgb', 'gray', 'cmyk']),
      depth: z.union([z.literal(8), z.literal(16)]),
      /** The profile's name, or "sRGB (assumed)" without one. */
      profile: z.string(),
      /** One line when the profile could not be used and the image is shown as sRGB. */
      warning: z.string().nullable(),
    })
    .optional(),
});
/** See {@link imageInfoSchema}. */
export type ImageInfo = z.infer<typeof imageInfoSchema>;

/** Open an image from a file path (main reads it) or from bytes the renderer already holds (drag and drop). */
export const openImageRequestSchema = z.union([
  z.object({ path: filePathSchema }).strict(),
  z
    .object({
      bytes: bytesSchema.refine((b) => b.byteLength > 0 && b.byteLength <= maxImageBytes, {
        message: 'the image must be between 1 byte and 256 MiB',
      }),
      name: z.string().min(1).max(255).optional(),
    })
    .strict(),
]);

/**
 * Output formats of `images:export`. An edit keeps the source's profile, bit depth and metadata where the format can
 * hold them (TIFF and PNG keep 16 bits; JPEG and TIFF keep CMYK); `images:exportNotes` says what one cannot keep.
 */
export const exportFormats = ['png', 'jpeg', 'webp', 'tiff'] as const;

/** The file name endings of each export format; a path or name ending otherwise is refused. */
export const exportExtensions = {
  png: ['.png'],
  jpeg: ['.jpg', '.jpeg'],
  webp: ['.webp'],
  tiff: ['.tif', '.tiff'],
} as const satisfies Record<(typeof exportFormats)[number], readonly string[]>;

/** True when `path` ends in one of `format`'s extensions (any letter case). */
export function hasExportExtension(path: string, format: (typeof exportFormats)[number]): boolean {
  const lower = path.toLowerCase();
  return exportExtensions[format].some((ext) => lower.endsWith(ext));
}

/**
 * Why `name` cannot be an export's file name for `format` (a name, not a path: no folder separators, no control
 * characters, at most 255 characters, ending in one of the format's extensions), or null when it can.
 */
export function exportFileNameProblem(name: string, format: (typeof exportFormats)[number]): string | null {
  if (name.trim() === '') return 'the file needs a name';
  if (name.length > 255) return 'the file name is longer than 255 characters';
  if (/[/\\]/.test(name)) return 'a file name, not a path: leave out / and \\';
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(name)) return 'the file name has a control character';
  if (name.startsWith('.')) return 'the file name needs a stem before the extension';
  if (!hasExportExtension(name, format)) {
    return `a ${format.toUpperCase()} file name ends in ${exportExtensions[format].join(' or ')}`;
  }
  return null;
}

/** Encode a stored image as an export file's bytes (serve mode: the browser downloads them). */
export const encodeImageRequestSchema = z
  .object({
    id: imageIdSchema,
    format: z.enum(exportFormats),
    /**
     * JPEG/WebP quality, 1–100 (ignored for PNG and TIFF). Absent: an edit of a JPEG keeps the source's estimated
     * quality; otherwise 92 for JPEG, 90 for WebP.
     */
    quality: z.number().int().min(1).max(100).optional(),
    /** Write the edit recipe into the file's metadata (results only). */
    metadata: z.boolean().default(true),
    /** "Remove location": leave the GPS tags out of EXIF and XMP (results only; recorded in the recipe). */
    removeLocation: z.boolean().default(false),
    /**
     * JPEG → JPEG ("Keep untouched blocks", the default): copy the compressed data of every block the edit does not
     * touch and re-encode only the others with the source's tables; false re-encodes the whole image at `quality`.
     */
    keepBlocks: z.boolean().default(true),
  })
  .strict();

/**
 * Write a stored image to a file: only to a path the desktop app's save dialog returned for this export, with an
 * extension that matches the format.
 */
export const exportImageRequestSchema = encodeImageRequestSchema.extend({ path: filePathSchema }).strict();

/** Differences of an edit result from its original, counted in the original file's own stored values. */
export const storedDifferenceSchema = z.object({
  /** Pixels where any stored channel value differs. */
  changedPixels: z.number().int().nonnegative(),
  /** Changed pixels outside the edit's blend region (the guarantee is that there are none). */
  changedOutsideRegion: z.number().int().nonnegative(),
  /** Largest difference of one stored value, in the file's units (0–255 or 0–65535). */
  maxDifference: z.number().int().nonnegative(),
  depth: z.union([z.literal(8), z.literal(16)]),
  /** A heat map of the changes (display orientation; transparent where equal), fetched by id like any image. */
  mapId: imageIdSchema,
});

/**
 * Compare an edit result (`id`) with `against` (default: the image it was edited from), in stored values: `against`
 * must be the image the result was edited from or another edit of that image.
 */
export const differenceRequestSchema = z.object({ id: imageIdSchema, against: imageIdSchema.optional() }).strict();

/** See {@link storedDifferenceSchema}. */
export type StoredDifference = z.infer<typeof storedDifferenceSchema>;

/** Ask, before writing, what exporting an image as `format` keeps and cannot keep. */
export const exportNotesRequestSchema = z
  .object({ id: imageIdSchema, format: z.enum(exportFormats), keepBlocks: z.boolean().default(true) })
  .strict();

/** What an export will write, before writing (`images:exportNotes`). */
export const exportPlanSchema = z.object({
  /** What the format cannot keep of the source (CMYK, 16 bits, gray, alpha, recompression, fallbacks), one line each. */
  notes: z.array(z.string()),
  /** The edit's source file (null for an image that is not an edit: it is exported as its 8-bit sRGB pixels). */
  source: z
    .object({
      /** The format family an export defaults to (the source's). */
      format: z.enum(exportFormats),
      space: z.enum(['rgb', 'gray', 'cmyk']),
      depth: z.union([z.literal(8), z.literal(16)]),
      /** The colour profile's name ("sRGB (assumed)" without one). */
      profile: z.string(),
      /** The metadata kinds the file holds and the export keeps: "EXIF", "XMP", "IPTC". */
      metadata: z.array(z.string()),
      /** The file has GPS tags (EXIF or XMP): only then is "Remove location" offered. */
      hasLocation: z.boolean(),
    })
    .nullable(),
  /** JPEG → JPEG with untouched blocks kept: how many MCUs will be re-encoded, or why the whole image must be. */
  jpegBlocks: z
    .union([
      z.object({ mcusTotal: z.number().int().nonnegative(), mcusReencoded: z.number().int().nonnegative() }),
      z.object({ fallback: z.string() }),
    ])
    .nullable(),
});
/** See {@link exportPlanSchema}. */
export type ExportPlan = z.infer<typeof exportPlanSchema>;

/** An 8-bit single-channel mask as raw bytes (structured clone), `data.length === width * height`. */
export const maskPixelsSchema = z
  .object({
    width: z.number().int().positive().max(16384),
    height: z.number().int().positive().max(16384),
    data: bytesSchema,
  })
  .strict()
  .refine((m) => m.data.length === m.width * m.height, 'mask data length must equal width × height');
