import { describe, expect, it } from 'vitest';
import { formatBytes } from '../../../shared/format';

describe('formatBytes', () => {
  it('uses decimal units with the precision each size needs', () => {
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(999)).toBe('999 B');
    expect(formatBytes(12_345)).toBe('12 kB');
    expect(formatBytes(512_000_000)).toBe('512.0 MB');
    expect(formatBytes(3_860_000_000)).toBe('3.86 GB');
  });
});
