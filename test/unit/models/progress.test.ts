import { describe, expect, it } from 'vitest';
import { RateMeter } from '../../../main/models/progress';

describe('RateMeter', () => {
  it('measures bytes per second over its window and derives the time left', () => {
    let t = 0;
    const meter = new RateMeter(() => t, 5000);
    meter.add(0);
    expect(meter.bytesPerSecond()).toBe(0);
    expect(meter.etaSeconds(100)).toBeNull();
    t = 1000;
    meter.add(2_000_000);
    t = 2000;
    meter.add(4_000_000);
    expect(meter.bytesPerSecond()).toBe(2_000_000);
    expect(meter.etaSeconds(10_000_000)).toBe(5);
    expect(meter.etaSeconds(0)).toBe(0);
    // Samples older than the window are dropped: the rate follows a slowdown.
    t = 10_000;
    meter.add(4_500_000);
    t = 11_000;
    meter.add(5_000_000);
    expect(meter.bytesPerSecond()).toBe(500_000);
  });
});
