/**
 * The edit recipe: everything needed to reproduce an edit (prompt, seed, every parameter, engine, model ids and
 * SHA-256 of each ONNX file, the provider each model ran on, the app version), stored as JSON in the output file's
 * text metadata and read back with {@link readRecipe}. No timestamps: the same edit gives identical bytes.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import {
  type EditParam,
  type EditParamKey,
  type EditParamValues,
  editParamKeys,
  editParams,
} from '../../shared/api/editParams';
import { IirError } from '../../shared/errors';
import { readImageText } from '../image/readText';
import { renderingIntent } from '../image/icc/convert';
import type { SourceColour } from '../image/stored';

/** The metadata key the recipe is stored under. */
export const recipeKey = 'iir-studio-recipe';

const modelRecordSchema = z.object({
  id: z.string(),
  /** File path relative to the model folder → SHA-256 (hex). */
  files: z.record(z.string(), z.string().regex(/^[0-9a-f]{64}$/)),
});

/**
 * The parameters a recipe records, as declared (types only: a recipe is a record of what ran, read back even when
 * a range has changed since); those added later are optional, so older recipes still read.
 */
const recipeParamsSchema = z.object(
  Object.fromEntries(
    editParamKeys.flatMap((key) => {
      const param: EditParam = editParams[key];
      if (param.recipe === 'omitted') return [];
      const type = recordedType(key, param);
      return [[key, param.recipe === 'optional' ? type.optional() : type]];
    }),
  ) as unknown as RecipeParamsShape,
);

function recordedType(key: EditParamKey, param: EditParam): z.ZodType {
  if (param.type === 'number') return param.integer ? z.number().int() : z.number();
  if (param.type === 'boolean') return z.boolean();
  return key === 'scheduler' ? z.string() : z.enum(param.choices as [string, ...string[]]);
}

type RecipeKey = {
  [K in EditParamKey]: (typeof editParams)[K]['recipe'] extends 'omitted' ? never : K;
}[EditParamKey];
type RecipeParamsShape = {
  [K in RecipeKey]: (typeof editParams)[K]['recipe'] extends 'optional'
    ? z.ZodOptional<z.ZodType<RecipeValue<K>>>
    : z.ZodType<RecipeValue<K>>;
};
/** A recorded scheduler stays a plain name: the recipe reads back even if that scheduler is gone. */
type RecipeValue<K extends EditParamKey> = K extends 'scheduler' ? string : EditParamValues[K];

export const recipeSchema = z.object({
  app: z.object({ name: z.literal('IIR Studio'), version: z.string() }),
  prompt: z.string(),
  negativePrompt: z.string(),
  seed: z.number().int(),
  engine: z.enum(['iir-trained', 'iir-training-free']),
  controlForm: z.enum(['split', 'fused']),
  params: recipeParamsSchema,
  workingFrame: z.object({
    sourcePx: z.object({ x0: z.number(), y0: z.number(), x1: z.number(), y1: z.number() }),
    width: z.number().int(),
    height: z.number().int(),
  }),
  timesteps: z.array(z.number()),
  models: z.object({ sd: modelRecordSchema, controlnet: modelRecordSchema.nullable() }),
  /** Model role → the execution provider it actually ran on. */
  providers: z.record(z.string(), z.string()),
  /** Providers passed over and why, per role. */
  fallbacks: z.record(z.string(), z.array(z.string())),
  /** The source's colour: its profile, how the model's sRGB frame was made from it and converted back. */
  colour: z
    .object({
      space: z.enum(['rgb', 'gray', 'cmyk']),
      depth: z.union([z.literal(8), z.literal(16)]),
      profile: z.string(),
      intent: z.string(),
      /** Set when the profile was damaged or unsupported and the image was treated as sRGB. */
      treatedAsSrgb: z.string().optional(),
    })
    .optional(),
  /** How the file was written: its format, what it could not keep, and whether location data was removed. */
  output: z
    .object({
      format: z.string(),
      removeLocation: z.boolean(),
      notes: z.array(z.string()),
    })
    .optional(),
  /**
   * Whether the same recipe gives the same bytes: false when a model draws random numbers the engine cannot seed.
   * `notes` say what was found (e.g. a VAE encoder that samples inside its graph, run at its mean).
   */
  reproducible: z.object({ exact: z.boolean(), notes: z.array(z.string()) }).optional(),
});
export type EditRecipe = z.infer<typeof recipeSchema>;

/** The recipe's record of the source's colour handling. */
export function colourRecord(colour: SourceColour): NonNullable<EditRecipe['colour']> {
  return {
    space: colour.space,
    depth: colour.depth,
    profile: colour.profileName,
    intent: colour.space === 'cmyk' ? 'perceptual (lcms)' : renderingIntent,
    ...(colour.warning ? { treatedAsSrgb: colour.warning } : {}),
  };
}

let version: string | undefined;

/** The app version from package.json. */
export function appVersion(): string {
  if (version === undefined) {
    try {
      const pkg = JSON.parse(readFileSync(join(import.meta.dirname, '..', '..', 'package.json'), 'utf8')) as {
        version?: string;
      };
      version = pkg.version ?? 'unknown';
    } catch {
      version = 'unknown';
    }
  }
  return version;
}

/** The text metadata to write into the output file. */
export function recipeMetadata(recipe: EditRecipe): Record<string, string> {
  return { [recipeKey]: JSON.stringify(recipe), Software: `IIR Studio ${recipe.app.version}` };
}

/** Reads the recipe back from an edited image file (or its bytes). */
export async function readRecipe(input: string | Uint8Array): Promise<EditRecipe> {
  const text = await readImageText(input);
  const json = text[recipeKey];
  const name = typeof input === 'string' ? input : 'the image';
  if (json === undefined) throw new IirError('not_found', `${name} holds no IIR Studio edit recipe`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    throw new IirError('invalid_argument', `the edit recipe in ${name} is not valid JSON`);
  }
  const result = recipeSchema.safeParse(parsed);
  if (!result.success) {
    throw new IirError(
      'invalid_argument',
      `the edit recipe in ${name} is damaged (${result.error.issues[0]?.message})`,
    );
  }
  return result.data;
}
