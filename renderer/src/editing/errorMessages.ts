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

/**
 * Main's messages are shared with the command line; in the editor, advice meant for a terminal is replaced by what to
 * do here, and a decoder's internal reason by plain words. `fix`: the rewrite already says what to do.
 */
const guiRewrites: { pattern: RegExp; replacement: string; fix?: string }[] = [
  { pattern: / \((?:get it with|run): npm run iir -- [^)]*\)/, replacement: '' },
  { pattern: /; run: npm run iir -- \S+(?: \S+)*$/, replacement: '' },
  { pattern: /; pass --role \([^)]*\)\. First check: /, replacement: ': ' },
  {
    pattern: / is truncated or corrupt \([^)]*\)/,
    replacement: ' is damaged or incomplete, so it cannot be opened',
    fix: 'Try another copy of the photo.',
  },
];

/** A failure in the user's words: the message from main, then what to do about it. */
export function describeError(error: unknown): { code: ErrorCode; text: string } {
  if (error instanceof ApiCallError || isApiError(error)) {
    const code = error.code;
    let message = error.message.trim() || headlines[code];
    let fix = fixes[code];
    for (const rewrite of guiRewrites) {
      if (!rewrite.pattern.test(message)) continue;
      message = message.replace(rewrite.pattern, rewrite.replacement);
      fix = rewrite.fix ?? fix;
    }
    const sentence = /[.!?]$/.test(message) ? message : `${message}.`;
    return { code, text: fix ? `${capitalise(sentence)} ${fix}` : capitalise(sentence) };
  }
  const issue = firstIssue(error);
  if (issue !== null) return { code: 'invalid_argument', text: `${capitalise(issue)}.` };
  const message = error instanceof Error ? error.message : String(error);
  return { code: 'internal', text: `${capitalise(message || headlines.internal)}` };
}

/** The first message of a validation error (zod's `issues`), or null: never the raw JSON list. */
function firstIssue(error: unknown): string | null {
  const issues = (error as { issues?: unknown } | null)?.issues;
  if (!Array.isArray(issues)) return null;
  const message = (issues[0] as { message?: unknown } | undefined)?.message;
  return typeof message === 'string' ? message.replace(/[.]$/, '') : null;
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

/** Capitalises a sentence that starts with a plain word, never a file name, path or identifier ("photo.jpg …"). */
function capitalise(text: string): string {
  return /^[a-z]+(?=[\s,:;!?]|\.(?:\s|$)|$)/.test(text) ? text.charAt(0).toUpperCase() + text.slice(1) : text;
}
