import { z } from 'zod';

/** Execution providers a user can ask for; `auto` picks by pre-flight. */
export const providerChoices = ['auto', 'cpu', 'webgpu', 'cuda', 'dml', 'coreml'] as const;
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
