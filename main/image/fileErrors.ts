import { basename } from 'node:path';
import { IirError } from '../../shared/errors';

function errnoCode(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string'
    ? error.code
    : undefined;
}

const reasons: Record<string, string> = {
  ENOENT: 'no such file',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EISDIR: 'it is a folder',
  ENOTDIR: 'a part of the path is not a folder',
  ENOSPC: 'the disk is full',
  EEXIST: 'a file of that name is in the way',
  EROFS: 'the disk is read-only',
  EMFILE: 'too many open files',
  ENAMETOOLONG: 'the path is too long',
};

/** Turns a failed `readFile` into one human line: "cannot read photo.jpg: no such file". */
export function describeReadError(path: string, error: unknown): IirError {
  const code = errnoCode(error);
  const reason = (code && reasons[code]) ?? (error instanceof Error ? error.message : String(error));
  return new IirError(code === 'ENOENT' ? 'not_found' : 'io_error', `cannot read ${basename(path)}: ${reason}`, {
    cause: error,
  });
}

/** Turns a failed write into one human line: "cannot write out/iir.png: permission denied". */
export function describeWriteError(path: string, error: unknown): IirError {
  const code = errnoCode(error);
  if (code === 'ENOSPC' || code === 'EDQUOT') return new IirError('io_error', diskFullMessage(path), { cause: error });
  const reason = (code && reasons[code]) ?? (error instanceof Error ? error.message : String(error));
  return new IirError('io_error', `cannot write ${path}: ${reason}`, { cause: error });
}

/** The one sentence for a full disk (or quota): the user's to fix, never a bug. */
export function diskFullMessage(path: string | undefined): string {
  return `disk full: ${path ? `could not write ${path}` : 'a file could not be written'}; free some space and try again`;
}
