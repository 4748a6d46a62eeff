import { z } from 'zod';
import { errorCodes } from '../errors';

/** The error half of an envelope: one of the closed codes and one human line. */
export const apiErrorSchema = z.object({
  code: z.enum(errorCodes),
  message: z.string(),
});
/** An error as it crosses IPC or the WebSocket. */
export type ApiError = z.infer<typeof apiErrorSchema>;

/** Every response: `{ ok: true, value }` or `{ ok: false, error }` (errors thrown across IPC keep only their message). */
export type Envelope<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: ApiError };

/** Wraps a value in a success envelope. */
export function ok<T>(value: T): Envelope<T> {
  return { ok: true, value };
}

/** Wraps an error in a failure envelope. */
export function fail(error: ApiError): Envelope<never> {
  return { ok: false, error };
}
