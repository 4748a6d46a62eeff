import { corruptJpeg } from './types';

/**
 * Reads the entropy-coded bits of one scan: removes the stuffed zero after each 0xFF, stops at a marker (then feeds
 * zero bits, as libjpeg does) and remembers how many made-up bits it fed, so a scan that needs bits its data does
 * not hold is reported as truncated instead of decoded from zeros.
 */
export class BitReader {
  private acc = 0;
  private count = 0;
  private pos = 0;
  /** Made-up zero bits fed since the last reset (after a marker or the end of the data). */
  private fake = 0;

  constructor(private readonly data: Uint8Array) {}

  private fill(): void {
    const data = this.data;
    while (this.count <= 24) {
      let byte = 0;
      const pos = this.pos;
      if (pos < data.length) {
        byte = data[pos]!;
        if (byte !== 0xff) this.pos = pos + 1;
        else if (data[pos + 1] === 0) this.pos = pos + 2;
        else {
          byte = 0;
          this.fake += 8;
        }
      } else this.fake += 8;
      this.acc = (this.acc << 8) | byte;
      this.count += 8;
    }
  }

  /** The next Huffman symbol, looked up by the next 16 bits in a table from `buildDecodeTable`. */
  decode(table: Uint16Array): number {
    if (this.count < 16) this.fill();
    const entry = table[(this.acc >>> (this.count - 16)) & 0xffff]!;
    if (entry === 0) throw corruptJpeg('a Huffman code matches no symbol');
    this.count -= entry >> 8;
    return entry & 0xff;
  }

  /** The next `n` bits (0 ≤ n ≤ 16) as an unsigned number. */
  bits(n: number): number {
    if (this.count < n) this.fill();
    this.count -= n;
    return (this.acc >>> this.count) & ((1 << n) - 1);
  }

  /** The next bit. */
  bit(): number {
    if (this.count < 1) this.fill();
    this.count--;
    return (this.acc >>> this.count) & 1;
  }

  /** The next `n` bits as the signed value of category `n` (JPEG's RECEIVE and EXTEND). */
  signed(n: number): number {
    if (n === 0) return 0;
    const v = this.bits(n);
    return v < 1 << (n - 1) ? v - (1 << n) + 1 : v;
  }

  /** Throws when decoding used bits past the end of the data (a truncated or damaged scan). */
  checkNotOverrun(): void {
    if (this.fake > this.count) throw corruptJpeg('the coded data ends in the middle of a scan');
  }

  /** Ends a restart interval: drops the padding bits and expects RSTn (n = `index` mod 8) next. */
  restart(index: number): void {
    this.checkNotOverrun();
    this.acc = 0;
    this.count = 0;
    this.fake = 0;
    const data = this.data;
    let pos = this.pos;
    // Skip stray bytes up to the next marker, as libjpeg resynchronises, then require the expected RST.
    while (pos + 1 < data.length && !(data[pos] === 0xff && data[pos + 1] !== 0 && data[pos + 1] !== 0xff)) pos++;
    if (pos + 1 >= data.length || data[pos + 1] !== 0xd0 + (index & 7)) {
      throw corruptJpeg('a restart marker is missing or out of order');
    }
    this.pos = pos + 2;
  }
}
