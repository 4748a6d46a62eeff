import { z } from 'zod';
import { imageIdSchema } from './ids';
import { imageInfoSchema, maskPixelsSchema } from './images';
import { modelChoiceSchema } from './settings';

/**
 * The `.iirproj` format version this build writes; it opens this one and every older one. 1: every image an 8-bit
 * sRGB PNG; 2: an edit result in its source's own kind of file, with what rebuilds its stored edit.
 */
export const projectSchemaVersion = 2;

/** Where a project keeps each kind of file (inside its zip). */
export const projectFiles = {
  manifest: 'project.json',
  roiMask: 'masks/roi.png',
  protectMask: 'masks/protect.png',
  /** A kept or generated image that is not an edit (and every image of a schema 1 project), lossless PNG. */
  image: (key: string) => `images/${key}.png`,
  /** An edit result as its source's kind of file (lossless, or a JPEG with only touched blocks re-encoded). */
  editFile: (key: string, extension: string) => `images/${key}.${extension}`,
  /** Where an edit may differ from its source (stored size, gray PNG). */
  editRegion: (key: string) => `edits/${key}.region.png`,
  /** The stored values of an edit whose file is a JPEG, as a lossless PNG. */
  editValues: (key: string) => `edits/${key}.values.png`,
  /** The bytes an edit was made from, when that image is not in the project. */
  editSource: (key: string) => `edits/${key}.source`,
  /** The original's bytes as opened, under its own file name. */
  original: (name: string) => `original/${name}`,
} as const;

/** Key of an image inside a project: `original`, or `r<n>` for a result. */
export const projectImageKeySchema = z.string().regex(/^(original|r[0-9]{1,6})$/, 'not an image of this project');

/** How a variation was made (the renderer's recipe, as saved). */
export const projectRecipeSchema = z.object({
  prompt: z.string(),
  noise: z.number(),
  gray: z.boolean(),
  seed: z.number().int(),
  models: z.array(z.string()),
  provider: z.string(),
  startedAt: z.number(),
  durationMs: z.number(),
  params: z.record(z.string(), z.unknown()),
});

/** What rebuilds an edit result's stored edit on open (schema 2). */
export const projectEditSchema = z.object({
  /** The image it was edited from; null: those bytes are in the project beside it ({@link projectFiles}.editSource). */
  source: projectImageKeySchema.nullable(),
  /** Its stored values are in `editValues` (a JPEG file); else they are its file's own. */
  values: z.boolean(),
  /** The engine's recipe of the edit, as exported. */
  recipe: z.record(z.string(), z.unknown()),
});

/** One step of the document's history, with images named by their project keys. */
export const projectStepSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('open'), name: z.string() }),
  z.object({ kind: z.literal('mask'), label: z.string() }),
  z.object({ kind: z.literal('generate'), results: z.array(projectImageKeySchema), recipe: projectRecipeSchema }),
  z.object({
    kind: z.literal('keep'),
    result: projectImageKeySchema,
    previous: projectImageKeySchema,
    recipe: projectRecipeSchema.nullable(),
  }),
]);

/** `project.json`: what the zip holds and the document's state. */
export const projectManifestSchema = z.object({
  schemaVersion: z.number().int().min(1).max(projectSchemaVersion),
  app: z.literal('IIR Studio'),
  savedAt: z.string(),
  original: z.object({
    name: z.string().min(1).max(255),
    width: z.number().int().positive(),
    height: z.number().int().positive(),
  }),
  /** The image the document shows now (the original or the last kept result). */
  base: projectImageKeySchema,
  /** Every image besides the original, with its recipe when it was generated. */
  images: z.array(
    z.object({
      key: projectImageKeySchema,
      recipe: projectRecipeSchema.nullable(),
      /** Schema 2: the file inside the zip (absent: {@link projectFiles}.image) and the edit behind it. */
      file: z
        .string()
        .regex(/^images\/r[0-9]{1,6}\.(png|jpg|tif|webp)$/)
        .optional(),
      edit: projectEditSchema.optional(),
    }),
  ),
  /** The results strip, in order, with the generation each came from. */
  results: z.array(z.object({ key: projectImageKeySchema, generation: z.number().int().min(1) })),
  history: z.object({
    entries: z.array(z.object({ time: z.number(), base: projectImageKeySchema, step: projectStepSchema })),
    cursor: z.number().int().min(-1),
  }),
  /** The models the document uses (its model picker); absent in projects saved before there was one. */
  models: modelChoiceSchema.optional(),
});
/** See {@link projectManifestSchema}. */
export type ProjectManifest = z.infer<typeof projectManifestSchema>;

/** `projects:save`: the document as the renderer holds it; main adds the pixels it keeps. */
export const projectSaveRequestSchema = z
  .object({
    /** `autosave`: to the user-data folder, for recovery after a crash; `download`: answer the file's bytes. */
    destination: z.enum(['autosave', 'download']),
    originalId: imageIdSchema,
    /** The image behind each key of `manifest.images`. */
    images: z.array(z.object({ key: projectImageKeySchema, id: imageIdSchema }).strict()),
    masks: z.object({ roi: maskPixelsSchema, protect: maskPixelsSchema }).strict(),
    manifest: projectManifestSchema.omit({ savedAt: true }),
  })
  .strict();

/** A project opened (or recovered): its images are in main's store again, under new ids. */
export const projectOpenedSchema = z.object({
  original: imageInfoSchema,
  images: z.array(z.object({ key: projectImageKeySchema, info: imageInfoSchema })),
  masks: z.object({ roi: maskPixelsSchema, protect: maskPixelsSchema }),
  manifest: projectManifestSchema,
});
/** See {@link projectOpenedSchema}. */
export type ProjectOpened = z.infer<typeof projectOpenedSchema>;
