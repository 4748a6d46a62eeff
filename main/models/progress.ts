/** Bytes per second over a sliding window, and the time left. Time comes from `now` so tests need no clock. */
export class RateMeter {
  private samples: { t: number; bytes: number }[] = [];

  constructor(
    private readonly now: () => number = () => performance.now(),
    private readonly windowMs = 5000,
  ) {}

  /** Record the running total of bytes transferred in this session. */
  add(totalTransferred: number): void {
    const t = this.now();
    this.samples.push({ t, bytes: totalTransferred });
    while (this.samples.length > 2 && (this.samples[0]?.t ?? t) < t - this.windowMs) this.samples.shift();
  }

  bytesPerSecond(): number {
    const first = this.samples[0];
    const last = this.samples[this.samples.length - 1];
    if (!first || !last || last.t <= first.t) return 0;
    return ((last.bytes - first.bytes) * 1000) / (last.t - first.t);
  }

  etaSeconds(remaining: number): number | null {
    const rate = this.bytesPerSecond();
    if (remaining <= 0) return 0;
    return rate > 0 ? remaining / rate : null;
  }
}
