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
};

/**
 * The settings as the renderer sees them (`settings:get`, `settings:set`): the hub token is write-only — the
 * renderer is untrusted, so it learns only whether one is set.
 */
export const visibleSettingsSchema = settingsSchema.omit({ hubToken: true }).extend({ hasHubToken: z.boolean() });
/** See {@link visibleSettingsSchema}. */
export type VisibleSettings = z.infer<typeof visibleSettingsSchema>;

/** What {@link visibleSettingsSchema} shows of `settings`. */
export function visibleSettings(settings: Settings): VisibleSettings {
  const { hubToken, ...rest } = settings;
  return { ...rest, hasHubToken: hubToken !== null };
}

/** `settings:set`: the fields to change; the rest stay as they are. Unknown fields are refused. */
export const settingsPatchSchema = settingsSchema.partial().strict();
/** See {@link settingsPatchSchema}. */
export type SettingsPatch = z.infer<typeof settingsPatchSchema>;
