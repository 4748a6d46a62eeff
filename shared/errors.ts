/**
 * The closed set of error codes that cross a boundary (CLI exit, IPC envelope, WebSocket envelope).
 * Every user-facing failure is one of these, with a one-line human message.
 */
export const errorCodes = [
  'invalid_argument',
  'not_found',
  'model_missing',
  'unsupported_provider',
  'out_of_memory',
  'cancelled',
  'io_error',
  'internal',
] as const;

/** One of {@link errorCodes}. */
export type ErrorCode = (typeof errorCodes)[number];

/**
 * An expected failure with a message written for the person using the app: one line, no stack, says what is wrong
 * and, where there is one, the fix. Anything that is not an `IirError` is a bug and maps to `internal`.
 */
export class IirError extends Error {
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'IirError';
    this.code = code;
  }
}

/** Shorthand for `new IirError('invalid_argument', message)`. */
export function invalidArgument(message: string): IirError {
  return new IirError('invalid_argument', message);
}

/** True when `error` is an {@link IirError} (also across realms, by shape). */
export function isIirError(error: unknown): error is IirError {
  return (
    error instanceof IirError ||
    (typeof error === 'object' &&
      error !== null &&
      (error as { name?: unknown }).name === 'IirError' &&
      typeof (error as { code?: unknown }).code === 'string' &&
      (errorCodes as readonly string[]).includes((error as { code: string }).code))
  );
}

/** A cancelled operation. Cancellation is not a failure: callers report it as `cancelled`, never `failed`. */
export class CancelledError extends IirError {
  constructor(message = 'cancelled') {
    super('cancelled', message);
    this.name = 'IirError';
  }
}

/** The part of an `AbortSignal` that shared code reads (shared/ compiles without DOM or Node types). */
export interface CancelSignal {
  readonly aborted: boolean;
}

/** Throws {@link CancelledError} when `signal` has been aborted. Call it between units of work. */
export function throwIfCancelled(signal: CancelSignal | undefined): void {
  if (signal?.aborted) throw new CancelledError();
}
