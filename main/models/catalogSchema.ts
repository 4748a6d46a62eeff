import { z } from 'zod';

import { modelRoles } from '../../shared/api/models';
import { modelIdTextSchema } from '../../shared/api/ids';

/** What a model is for; the engine picks models by role (declared once, in the API contract). */
export { modelRoles };
export type ModelRole = (typeof modelRoles)[number];

export const modelIdSchema = modelIdTextSchema;

/**
 * A path inside a model folder as a manifest writes it: forward slashes, relative, no `.`/`..` segments, no empty
 * segments, no drive letters or backslashes (those would mean something else on Windows).
 */
export const relativePathSchema = z
  .string()
  .min(1)
  .max(512)
  .refine((p) => isSafeRelativePath(p), 'must be a relative path inside the model folder (no "..", no absolute path)');

export function isSafeRelativePath(p: string): boolean {
  if (p.startsWith('/') || p.includes('\\') || /^[a-zA-Z]:/.test(p) || p.includes('\0')) return false;
  return p.split('/').every((seg) => seg !== '' && seg !== '.' && seg !== '..');
}

export const onnxTypes = [
  'float32',
  'uint8',
  'int8',
  'uint16',
  'int16',
  'int32',
  'int64',
  'string',
  'bool',
  'float16',
  'float64',
  'uint32',
  'uint64',
  'bfloat16',
] as const;
export type OnnxType = (typeof onnxTypes)[number];

/** One dimension: a fixed size, one of several sizes, or a symbol (any size: batch, height, …). */
const dimSchema = z.union([z.number().int().nonnegative(), z.array(z.number().int().nonnegative()).min(1), z.string()]);
export type DimSpec = z.infer<typeof dimSchema>;

const tensorContractSchema = z
  .object({
    name: z.string().min(1),
    /** Element types accepted; omitted = any. */
    type: z.array(z.enum(onnxTypes)).min(1).optional(),
    /** Shape; omitted = any rank (e.g. a timestep that is a scalar, [1] or [B]). */
    shape: z.array(dimSchema).optional(),
  })
  .strict();
export type TensorContract = z.infer<typeof tensorContractSchema>;

/** A tensor the graph must declare: one spec, or any one of several (exporters disagree on some names). */
export const tensorRuleSchema = z.union([
  tensorContractSchema,
  z.object({ anyOf: z.array(tensorContractSchema).min(2) }).strict(),
]);
export type TensorRule = z.infer<typeof tensorRuleSchema>;

const contractFileSchema = z
  .object({
    /** A path in the model folder; `*` matches within one path segment (`onnx/model*.onnx`). */
    path: z.string().min(1).max(512),
    /** When true the file may be absent; when present it must still satisfy the contract. */
    optional: z.boolean().default(false),
    onnx: z
      .object({ inputs: z.array(tensorRuleSchema).default([]), outputs: z.array(tensorRuleSchema).default([]) })
      .strict()
      .optional(),
  })
  .strict();
export type ContractFile = z.infer<typeof contractFileSchema>;

/** What a folder of a role must contain, and what its ONNX graphs must declare. */
export const roleContractSchema = z
  .object({
    description: z.string(),
    files: z.array(contractFileSchema).min(1),
  })
  .strict();
export type RoleContract = z.infer<typeof roleContractSchema>;

export const licenseSchema = z
  .object({
    /** Short id, the key of a recorded acceptance (`creativeml-openrail-m`, `apache-2.0`, …). */
    id: z.string().regex(/^[a-z0-9][a-z0-9.-]*$/),
    name: z.string().min(1),
    url: z.url(),
    /** What the user agrees to, in a few lines; the full text is at `url`. */
    summary: z.string().min(1),
    /** The key restrictions, one line each, listed before the first download under this licence. */
    restrictions: z.array(z.string().min(1)).max(20).optional(),
  })
  .strict();
export type License = z.infer<typeof licenseSchema>;

const sha256Schema = z
  .string()
  .regex(/^[0-9a-f]{64}$/, 'sha256 must be 64 lower-case hex digits')
  .nullable();

export const catalogFileSchema = z
  .object({
    /** Where to download it from (https; the hub's URLs are re-pointed at `IIR_HUB_ENDPOINT`). */
    url: z.url(),
    /** Where it goes inside the model folder. */
    path: relativePathSchema,
    /** The exact size; an empty file is never a model file. null: the server's declared size is the ceiling. */
    bytes: z.number().int().positive().nullable(),
    /** null: take the hub's `X-Linked-Etag` (the SHA-256 of an LFS file) at download time. */
    sha256: sha256Schema,
    /** Why `bytes` or `sha256` is null: what could not be confirmed from the model's public file listing. */
    unconfirmed: z.string().min(1).optional(),
    /** A small extra (a config the engine does not need) that may be absent from the repository: a 404 skips it. */
    optional: z.boolean().optional(),
  })
  .strict();
export type CatalogFile = z.infer<typeof catalogFileSchema>;

export const catalogModelSchema = z
  .object({
    id: modelIdSchema,
    title: z.string().min(1),
    role: z.enum(modelRoles),
    /** A license id from the catalog's `licenses`. */
    license: z.string().min(1),
    source: z
      .object({ repo: z.string().min(1), revision: z.string().min(1), url: z.url().optional() })
      .strict()
      .optional(),
    /** Approximate total download size, shown before the exact sizes are known. */
    approxBytes: z.number().int().nonnegative().optional(),
    notes: z.string().optional(),
    /** The weights' precision, where it matters: on a CPU, an fp16 set is better used through its fp32 variant. */
    weights: z.enum(['fp16', 'fp32']).optional(),
    files: z.array(catalogFileSchema).min(1),
  })
  .strict();
export type CatalogModel = z.infer<typeof catalogModelSchema>;

export const bundleSchema = z
  .object({
    id: modelIdSchema,
    title: z.string().min(1),
    models: z.array(modelIdSchema).min(1),
    description: z.string().optional(),
  })
  .strict();
export type Bundle = z.infer<typeof bundleSchema>;

/** A catalog file. Only `models` is required, so a user can write a small one for a single model. */
export const catalogSchema = z
  .object({
    $schema: z.string().optional(),
    version: z.literal(1).optional(),
    licenses: z.array(licenseSchema).default([]),
    roles: z.partialRecord(z.enum(modelRoles), roleContractSchema).default({}),
    models: z.array(catalogModelSchema),
    bundles: z.array(bundleSchema).default([]),
  })
  .strict();
export type Catalog = z.infer<typeof catalogSchema>;
