import { z } from 'zod';
import { diskFullMessage } from '../image/fileErrors';
import { type ApiError, type Envelope, fail, isChannel, ok, requestChannels } from '../../shared/api';
import { isIirError } from '../../shared/errors';
import type { CallContext, Handlers } from './handlers';

/** Where the router reports bugs (errors that are not `IirError`s); never shown to the caller. */
export type ErrorLog = (message: string, error: unknown) => void;

/** Turns any thrown value into the envelope's error: IirError keeps its code, zod → invalid_argument, else internal. */
export function toApiError(error: unknown, log?: ErrorLog, channel?: string): ApiError {
  if (isIirError(error)) return { code: error.code, message: error.message };
  if (error instanceof z.ZodError) return { code: 'invalid_argument', message: describeZodError(error) };
  const diskFull = describeDiskFull(error);
  if (diskFull) return { code: 'io_error', message: diskFull };
  log?.(`handler for ${channel ?? '?'} failed`, error);
  return { code: 'internal', message: 'Something went wrong inside IIR Studio; the details are in the log.' };
}

/** A full disk (or quota) is the user's to fix, not a bug: one line saying so, or null for any other error. */
export function describeDiskFull(error: unknown): string | null {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  if (code !== 'ENOSPC' && code !== 'EDQUOT') return null;
  return diskFullMessage((error as NodeJS.ErrnoException).path);
}

/** One line naming the first problem and where it is. */
export function describeZodError(error: z.ZodError): string {
  const issue = error.issues[0];
  if (issue === undefined) return 'invalid request';
  const where = issue.path.length > 0 ? `${issue.path.map(String).join('.')}: ` : '';
  const line = `${where}${issue.message}`.replace(/\s+/g, ' ');
  return line.length > 200 ? `${line.slice(0, 197)}...` : line;
}

/** Keys that could reach an object's prototype chain; zod's `.strict()` does not see them everywhere (records). */
const forbiddenKeys = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * The first forbidden key anywhere in `value`, walked without recursion (depth cannot overflow the stack) and once
 * per object (a structured clone may hold cycles).
 */
export function findForbiddenKey(value: unknown): string | null {
  const stack: unknown[] = [value];
  const seen = new Set<object>();
  while (stack.length > 0) {
    const item = stack.pop();
    if (item === null || typeof item !== 'object' || ArrayBuffer.isView(item) || seen.has(item)) continue;
    seen.add(item);
    for (const key of Object.keys(item)) {
      if (forbiddenKeys.has(key)) return key;
      stack.push((item as Record<string, unknown>)[key]);
    }
  }
  return null;
}

/** Validates requests against the channel map and calls the matching handler; never throws. */
export interface Router {
  dispatch(channel: unknown, request: unknown, context: CallContext): Promise<Envelope<unknown>>;
}

/** The one place requests enter main, whatever the transport. */
export function createRouter(handlers: Handlers, log?: ErrorLog): Router {
  return {
    async dispatch(channel, request, context) {
      if (!isChannel(channel)) return fail({ code: 'invalid_argument', message: 'unknown channel' });
      const forbidden = findForbiddenKey(request);
      if (forbidden !== null) {
        return fail({ code: 'invalid_argument', message: `the request may not contain a field named "${forbidden}"` });
      }
      try {
        const parsed: unknown = requestChannels[channel].request.parse(request);
        const handler = handlers[channel] as (request: unknown, context: CallContext) => unknown;
        return ok(await handler(parsed, context));
      } catch (error) {
        return fail(toApiError(error, log, channel));
      }
    },
  };
}
