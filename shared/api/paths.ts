import { z } from 'zod';

/**
 * An absolute file path as a request may carry it: at most 4096 characters, no NUL byte, and no `.` or `..`
 * segment, so a path names one file plainly and cannot climb out of the folder it appears to be in.
 */
export const filePathSchema = z
  .string()
  .min(1, 'a file path is required')
  .max(4096, 'the file path is too long')
  .refine((path) => !path.includes('\0'), 'a file path may not contain a NUL byte')
  .refine((path) => /^(\/|[A-Za-z]:[\\/]|\\\\)/.test(path), 'the file path must be absolute')
  .refine(
    (path) =>
      !path
        .split(/[\\/]+/)
        .slice(1)
        .some((segment) => segment === '..' || segment === '.'),
    'the file path may not contain "." or ".." segments',
  );
