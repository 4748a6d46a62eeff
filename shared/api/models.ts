import { z } from 'zod';
import { modelIdSchema } from './ids';
import { filePathSchema } from './paths';

/** What a model is for. */
export const modelRoles = [
  'sd15',
  'controlnet-iir',
  'controlnet-canny',
  'lcm',
  'grounding',
  'sam',
  'tokenizer',
  'lpips',
  'clip',
  'dino',
] as const;

/** A downloadable model from the catalog. */
export const catalogEntrySchema = z.object({
  id: z.string(),
  title: z.string(),
  role: z.string(),
  license: z.string(),
  /** Total download size in bytes. */
  bytes: z.number().int().nonnegative(),
  installed: z.boolean(),
  /** fp16 weights: on a CPU, its fp32 variant (`models:widen`, once installed) is the one to run. */
  fp16: z.boolean().optional(),
});

/** A bundle of catalog models pulled together (the "starter" bundle). */
export const catalogBundleSchema = z.object({
  id: z.string(),
  title: z.string(),
  models: z.array(z.string()),
  bytes: z.number().int().nonnegative(),
});

/** `models:catalog` response. */
export const catalogSchema = z.object({
  models: z.array(catalogEntrySchema),
  bundles: z.array(catalogBundleSchema),
});

/** An installed model (it has a receipt in the models folder). */
export const installedModelSchema = z.object({
  id: z.string(),
  role: z.string(),
  path: z.string(),
  bytes: z.number().int().nonnegative(),
  /** Linked in place: its files are the user's own folder, and removing it deletes only the record. */
  linked: z.boolean(),
  /** `verified` only when every file matched a published SHA-256 (the catalog's or the hub's). */
  verification: z.enum(['verified', 'unverified']),
  /** Set on an int8 variant (`models:quantize`): the id of the model it was made from. */
  int8Of: z.string().optional(),
  /** Set on an fp32 variant (`models:widen`): the id of the fp16 model it was made from. */
  fp32Of: z.string().optional(),
  /** An SD1.5 set or ControlNet holding fp16 weights or values: `models:widen` makes its fp32 variant. */
  fp16: z.boolean().optional(),
});

/**
 * `models:pull`: ids of models or bundles; progress arrives as `models:progress` events. Refused while a licence
 * of one of them is not accepted (`models:licenses`, then `models:acceptLicenses`).
 */
export const pullRequestSchema = z.object({ ids: z.array(modelIdSchema).min(1).max(32) }).strict();

/** `models:licenses`: the licences of models or bundles still to download, as shown before the first download. */
export const licensesRequestSchema = z.object({ ids: z.array(modelIdSchema).min(1).max(32) }).strict();

/** A licence as the user is shown it; `sha256` names this text when it is accepted. */
export const licenseInfoSchema = z.object({
  id: z.string(),
  name: z.string(),
  url: z.string(),
  summary: z.string(),
  restrictions: z.array(z.string()),
  sha256: z.string(),
  accepted: z.boolean(),
});
/** See {@link licenseInfoSchema}. */
export type LicenseInfo = z.infer<typeof licenseInfoSchema>;

/** `models:acceptLicenses`: the licences the user accepted, each with the hash of the text that was shown. */
export const acceptLicensesRequestSchema = z
  .object({
    licenses: z
      .array(
        z
          .object({
            id: z.string().min(1).max(100),
            sha256: z.string().regex(/^[0-9a-f]{64}$/),
          })
          .strict(),
      )
      .min(1)
      .max(32),
  })
  .strict();

/**
 * Download progress of one model; `state` `done`, `failed`, `paused` and `cancelled` end a pull. The making of an
 * int8 or fp32 variant (`models:quantize`, `models:widen`) reports as `quantizing` under the variant's id, and
 * ends the same way.
 */
export const modelProgressSchema = z.object({
  modelId: z.string(),
  state: z.enum(['downloading', 'verifying', 'quantizing', 'done', 'paused', 'cancelled', 'failed']),
  /** The file in flight, or null between files. */
  file: z.string().nullable(),
  bytesDone: z.number().nonnegative(),
  bytesTotal: z.number().nonnegative(),
  bytesPerSecond: z.number().nonnegative(),
  /** Seconds to go, or null when unknown. */
  etaSeconds: z.number().nonnegative().nullable(),
  /** A human line when `state` is `failed`. */
  message: z.string().nullable(),
});
/** See {@link modelProgressSchema}. */
export type ModelProgress = z.infer<typeof modelProgressSchema>;

/** `models:import`: a local folder, copied, moved or linked in place, checked against the role's tensor contract. */
export const importRequestSchema = z
  .object({
    path: filePathSchema,
    id: modelIdSchema,
    role: z.enum(modelRoles).optional(),
    /** `copy` or `link`: a page may not move the user's folder (only the CLI's `--move` may take one over). */
    mode: z.enum(['copy', 'link']).default('copy'),
  })
  .strict();

/** One model's verification result. */
export const verifyResultSchema = z.object({
  id: z.string(),
  ok: z.boolean(),
  /** Files whose hash or size differs from the receipt, or that are missing. */
  problems: z.array(z.string()),
});

/** `models:diskUsage` response. */
export const diskUsageSchema = z.object({
  folder: z.string(),
  models: z.array(
    z.object({
      id: z.string(),
      bytes: z.number().nonnegative(),
      /** Of `bytes`, those of `.part` and `.bad` files kept for resuming. */
      partialBytes: z.number().nonnegative(),
      /** False for a folder a download left before the model was installed. */
      installed: z.boolean(),
    }),
  ),
  /** Bytes of partial downloads kept for resuming. */
  partialBytes: z.number().nonnegative(),
  totalBytes: z.number().nonnegative(),
  freeBytes: z.number().nonnegative().nullable(),
});

/** A request that names one model. */
export const modelRefSchema = z.object({ id: modelIdSchema }).strict();
