import { describe, expect, it } from 'vitest';
import { CancelledError, IirError, isIirError, throwIfCancelled } from '../../../shared/errors';

describe('errors', () => {
  it('recognises IirError by class and by shape, and nothing else', () => {
    expect(isIirError(new IirError('not_found', 'x'))).toBe(true);
    expect(isIirError({ name: 'IirError', code: 'io_error', message: 'x' })).toBe(true);
    expect(isIirError({ name: 'IirError', code: 'nope', message: 'x' })).toBe(false);
    expect(isIirError(new Error('x'))).toBe(false);
  });

  it('throws a cancelled error only once the signal is aborted', () => {
    const controller = new AbortController();
    expect(() => throwIfCancelled(controller.signal)).not.toThrow();
    controller.abort();
    expect(() => throwIfCancelled(controller.signal)).toThrow(CancelledError);
  });
});
