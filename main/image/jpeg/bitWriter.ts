/** Writes entropy-coded bits MSB first, stuffing a zero byte after every 0xFF; grows its buffer as needed. */
export class BitWriter {
  private buf: Uint8Array;
  private pos = 0;
  private acc = 0;
  private count = 0;

  constructor(initialSize: number) {
    this.buf = new Uint8Array(Math.max(1024, initialSize));
  }

  /** Appends the low `length` (≤ 31) bits of `code`. */
  put(code: number, length: number): void {
    if (length > 24) {
      // With up to 7 bits pending, more than 25 new ones would overflow the 32-bit accumulator: split.
      this.put(code >>> 16, length - 16);
      this.put(code & 0xffff, 16);
      return;
    }
    this.acc = (this.acc << length) | code;
    this.count += length;
    if (this.count < 8) return;
    if (this.pos + 8 > this.buf.length) this.grow();
    const buf = this.buf;
    while (this.count >= 8) {
      this.count -= 8;
      const byte = (this.acc >>> this.count) & 0xff;
      buf[this.pos++] = byte;
      if (byte === 0xff) buf[this.pos++] = 0;
    }
  }

  /** Pads the last byte with one bits (as libjpeg does before a marker or the end of the scan). */
  flush(): void {
    if (this.count > 0) this.put((1 << (8 - this.count)) - 1, 8 - this.count);
  }

  /** Flushes, then writes the two bytes of restart marker RSTn (n = `index` mod 8). */
  restart(index: number): void {
    this.flush();
    if (this.pos + 2 > this.buf.length) this.grow();
    this.buf[this.pos++] = 0xff;
    this.buf[this.pos++] = 0xd0 + (index & 7);
  }

  /** The bytes written so far (after {@link flush}). */
  bytes(): Uint8Array {
    return this.buf.subarray(0, this.pos);
  }

  private grow(): void {
    const bigger = new Uint8Array(this.buf.length * 2);
    bigger.set(this.buf.subarray(0, this.pos));
    this.buf = bigger;
  }
}
