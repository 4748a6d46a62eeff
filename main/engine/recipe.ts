/**
 * The edit recipe: everything needed to reproduce an edit (prompt, seed, every parameter, engine, model ids and
 * SHA-256 of each ONNX file, the provider each model ran on, the app version), stored as JSON in the output file's
 * text metadata and read back with {@link readRecipe}. No timestamps: the same edit gives identical bytes.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { IirError } from '../../shared/errors';
import { readImageText } from '../image/readText';

/** The metadata key the recipe is stored under. */
export const recipeKey = 'iir-studio-recipe';

const modelRecordSchema = z.object({
  id: z.string(),
  /** File path relative to the model folder → SHA-256 (hex). */
  files: z.record(z.string(), z.string().regex(/^[0-9a-f]{64}$/)),
});

export const recipeSchema = z.object({
  app: z.object({ name: z.literal('IIR Studio'), version: z.string() }),
  prompt: z.string(),
  negativePrompt: z.string(),
  seed: z.number().int(),
  engine: z.enum(['iir-trained', 'iir-training-free']),
  controlForm: z.enum(['split', 'fused']),
  params: z.object({
    noise: z.number(),
    gray: z.boolean(),
    noiseScope: z.enum(['roi', 'image']).optional(),
    cannyLow: z.number().optional(),
    cannyHigh: z.number().optional(),
    strength: z.number(),
    steps: z.number().int(),
    guidance: z.number(),
    controlScale: z.number(),
    controlStart: z.number(),
    controlEnd: z.number(),
    scheduler: z.string(),
    size: z.number().int(),
    focus: z.boolean(),
    featherPx: z.number(),
    dilatePx: z.number(),
    lowMemory: z.boolean(),
  }),
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
  /**
   * Whether the same recipe gives the same bytes: false when a model draws random numbers the engine cannot seed.
   * `notes` say what was found (e.g. a VAE encoder that samples inside its graph, run at its mean).
   */
  reproducible: z.object({ exact: z.boolean(), notes: z.array(z.string()) }).optional(),
});
export type EditRecipe = z.infer<typeof recipeSchema>;

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
