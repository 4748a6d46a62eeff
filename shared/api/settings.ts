import { z } from 'zod';
import { providerChoices, providerPerRoleSchema } from './edit';
import { modelIdTextSchema } from './ids';

/** The kinds of model an edit or a search uses one of, when several are installed. */
export const modelChoiceRoles = ['sd15', 'controlnet', 'grounding', 'sam'] as const;
/** One of {@link modelChoiceRoles}. */
export type ModelChoiceRole = (typeof modelChoiceRoles)[number];

/** Which installed model each kind uses (a missing kind: the first installed one). */
export const modelChoiceSchema = z
  .object({
    sd15: modelIdTextSchema.optional(),
    controlnet: modelIdTextSchema.optional(),
    grounding: modelIdTextSchema.optional(),
    sam: modelIdTextSchema.optional(),
  })
  .strict();
/** See {@link modelChoiceSchema}. */
export type ModelChoice = z.infer<typeof modelChoiceSchema>;

/**
 * The remote queue the editor reconnects to at start (Devices → Remote workers). The password is never here in
 * plaintext: `sealedPassword` is it encrypted by the OS keychain (Electron safeStorage, base64); without a keychain
 * it is not kept (`needsPassword`) and the panel asks for it on the next start. Main only: never sent to the renderer.
 */
export const rememberedQueueSchema = z
  .object({
    /** `redis://[user@]host:port/db` (or rediss://), without the password. */
    address: z
      .string()
      .max(2000)
      .regex(/^rediss?:\/\/[^\s:@]*@?[^\s@]+$/, 'a queue address without its password'),
    sealedPassword: z
      .string()
      .max(8192)
      .regex(/^[A-Za-z0-9+/]+=*$/, 'base64')
      .nullable(),
    needsPassword: z.boolean(),
  })
  .strict();
/** See {@link rememberedQueueSchema}. */
export type RememberedQueue = z.infer<typeof rememberedQueueSchema>;

/**
 * The user's settings, stored as JSON in the user-data folder. Keys a file holds that are no longer settings
 * (`workingSize`, `defaultSteps`, `defaultScheduler`, `theme` of early versions) are dropped when it is read.
 */
export const settingsSchema = z.object({
  /** The models folder, or null for `<userData>/models`. */
  modelsDir: z.string().min(1).max(4096).nullable(),
  /** Extra catalog files or URLs, added to the built-in catalog. */
  catalogs: z.array(z.string().min(1).max(4096)).max(32),
  provider: z.enum(providerChoices),
  /** Per-model pins over `provider` (Devices). */
  providerPerRole: providerPerRoleSchema,
  /** The models the last document used, offered again for the next one (each document keeps its own). */
  modelChoice: modelChoiceSchema,
  /** Every edit loads one stage's models at a time and releases them. */
  lowMemory: z.boolean(),
  /** A Hugging Face token for gated repositories; sent only to the hub endpoint, never logged. */
  hubToken: z.string().min(1).max(512).nullable(),
  /** The remote queue to reconnect to at start, or null: edits run on this machine. */
  remoteQueue: rememberedQueueSchema.nullable(),
});
/** See {@link settingsSchema}. */
export type Settings = z.infer<typeof settingsSchema>;

/** The settings of a new installation. */
export const defaultSettings: Settings = {
  modelsDir: null,
  catalogs: [],
  provider: 'auto',
  providerPerRole: {},
  modelChoice: {},
  lowMemory: false,
  hubToken: null,
  remoteQueue: null,
};

/**
 * The settings as the renderer sees them (`settings:get`, `settings:set`): the hub token is write-only — the
 * renderer is untrusted, so it learns only whether one is set.
 */
export const visibleSettingsSchema = settingsSchema
  .omit({ hubToken: true, remoteQueue: true })
  .extend({ hasHubToken: z.boolean() });
/** See {@link visibleSettingsSchema}. */
export type VisibleSettings = z.infer<typeof visibleSettingsSchema>;

/** What {@link visibleSettingsSchema} shows of `settings`. */
export function visibleSettings(settings: Settings): VisibleSettings {
  const { hubToken, remoteQueue: _remoteQueue, ...rest } = settings;
  return { ...rest, hasHubToken: hubToken !== null };
}

/**
 * `settings:set`: the fields to change; the rest stay as they are. Unknown fields are refused, and so is the remembered
 * queue (only main writes it, on `remote:connect` and `remote:disconnect`).
 */
export const settingsPatchSchema = settingsSchema.omit({ remoteQueue: true }).partial().strict();
/** See {@link settingsPatchSchema}. */
export type SettingsPatch = z.infer<typeof settingsPatchSchema>;
