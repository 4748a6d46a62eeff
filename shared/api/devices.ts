import { z } from 'zod';

/** One execution provider and what the pre-flight self-test found. */
export const providerStatusSchema = z.object({
  name: z.string(),
  /** onnxruntime-node ships it on this platform. */
  isShipped: z.boolean(),
  /** The pre-flight ran it successfully (null when not tried yet). */
  isWorking: z.boolean().nullable(),
  /** Why it is not used, in one line, or null. */
  reason: z.string().nullable(),
});

/** `devices:providers` / `devices:preflight` response: every provider and the one `auto` picks. */
export const devicesSchema = z.object({
  providers: z.array(providerStatusSchema),
  auto: z.string(),
});
