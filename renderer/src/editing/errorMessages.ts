import type { ErrorCode } from '../../../shared/errors';
import { ApiCallError } from '../../../shared/api';

/** What the user can do about each kind of failure, shown after the server's one-line message. */
const fixes: Record<ErrorCode, string> = {
  invalid_argument: 'Check the value and try again.',
  not_found: 'The file or image is no longer there — open it again.',
  model_missing: 'Download the missing models from the Models sheet.',
  unsupported_provider: 'Choose another device in Devices (CPU always works, more slowly).',
  out_of_memory: 'Try a smaller working size, turn on low-memory mode, or close other apps.',
  cancelled: '',
  io_error: 'Check that the folder exists and that you may write to it.',
  internal: 'This is a bug in IIR Studio; the log has the details.',
};

/** Headlines used when the message itself is empty. */
const headlines: Record<ErrorCode, string> = {
  invalid_argument: 'That value is not accepted.',
  not_found: 'Not found.',
  model_missing: 'A model this needs is not installed.',
  unsupported_provider: 'That device cannot run here.',
  out_of_memory: 'Ran out of memory.',
  cancelled: 'Cancelled.',
  io_error: 'Reading or writing a file failed.',
  internal: 'Something went wrong inside IIR Studio.',
};

/** A failure in the user's words: the message from main, then what to do about it. */
export function describeError(error: unknown): { code: ErrorCode; text: string } {
  if (error instanceof ApiCallError || isApiError(error)) {
    const code = error.code;
    const message = error.message.trim() || headlines[code];
    const fix = fixes[code];
    const sentence = /[.!?]$/.test(message) ? message : `${message}.`;
    return { code, text: fix ? `${capitalise(sentence)} ${fix}` : capitalise(sentence) };
  }
  const message = error instanceof Error ? error.message : String(error);
  return { code: 'internal', text: `${capitalise(message || headlines.internal)}` };
}

function isApiError(error: unknown): error is { code: ErrorCode; message: string } {
  return (
    typeof error === 'object' &&
    error !== null &&
    typeof (error as { code?: unknown }).code === 'string' &&
    (error as { code: string }).code in fixes &&
    typeof (error as { message?: unknown }).message === 'string'
  );
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
