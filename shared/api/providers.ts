import { z } from 'zod';

/** The execution providers the engine knows, in order of preference (fastest first). */
export const providerNames = ['cuda', 'dml', 'coreml', 'webgpu', 'cpu'] as const;
/** One of {@link providerNames}. */
export type ProviderName = (typeof providerNames)[number];
/** Execution providers a user can ask for; `auto` picks the first that passes pre-flight. */
export const providerChoices = ['auto', ...providerNames] as const;
/** One of {@link providerChoices}. */
export type ProviderChoice = (typeof providerChoices)[number];
/** The models (graphs) of an edit or a search, each of which the user can pin to a provider. */
export const providerRoles = [
  'text_encoder',
  'unet',
  'controlnet',
  'vae_encoder',
  'vae_decoder',
  'grounding',
  'sam_encoder',
  'sam_decoder',
] as const;
/** One of {@link providerRoles}. */
export type ProviderRole = (typeof providerRoles)[number];
/** Per-role provider pins, over the default provider (`auto` or absent: the default applies). */
export const providerPerRoleSchema = z.partialRecord(z.enum(providerRoles), z.enum(providerChoices));
/** See {@link providerPerRoleSchema}. */
export type ProviderPerRole = z.infer<typeof providerPerRoleSchema>;
