import { app, dialog } from 'electron';
import { isIirError } from '../../shared/errors';
import type { Logger } from '../services/logs';

/** One line saying why the app could not start (an IirError's own message; no stack). */
export function startupFailureMessage(error: unknown): string {
  if (isIirError(error)) return error.message;
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n')[0] || 'an unexpected error';
}

/**
 * A failed start must not leave a windowless process holding the single-instance lock (every later launch would
 * quit silently): say why in a dialog, release the lock and exit.
 */
export function failStartup(error: unknown, log?: Logger, logPath?: string): void {
  try {
    log?.error('startup failed', error);
  } catch {
    // the log itself may be what failed
  }
  const where = logPath ? `\n\nDetails are in ${logPath}.` : '';
  dialog.showErrorBox('IIR Studio could not start', `${startupFailureMessage(error)}${where}`);
  app.releaseSingleInstanceLock();
  app.exit(1);
}
