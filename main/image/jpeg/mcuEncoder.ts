import { divisorsOf, fdctQuantize } from './fdct';
import type { JpegFrame } from './types';

/** Pixels the caller composited, in the source's stored orientation. */
export interface Pixels {
  readonly data: Uint8Array;
  readonly width: number;
  readonly height: number;
  readonly channels: 1 | 3 | 4;
}

// libjpeg's jccolor.c RGB → YCbCr in 16-bit fixed point (FIX(x) = round(x · 65536)).
const FIX_0_29900 = 19595;
const FIX_0_58700 = 38470;
const FIX_0_11400 = 7471;
const FIX_0_16874 = 11059;
const FIX_0_33126 = 21709;
const FIX_0_50000 = 32768;
const FIX_0_41869 = 27439;
const FIX_0_08131 = 5329;
const ONE_HALF = 1 << 15;
const CBCR_OFFSET = 128 << 16;

/**
 * Re-encodes whole MCUs from pixels as libjpeg's compressor would: colour conversion (jccolor.c), chroma
 * downsampling (jcsample.c: h2v1 / h2v2 with their alternating rounding bias, a box average otherwise), edges
 * replicated past the image, level shift, islow forward DCT and quantization with the source's tables.
 */
export class McuEncoder {
  private readonly mcuW: number;
  private readonly mcuH: number;
  private readonly planes: Uint8Array[];
  private readonly samples: Uint8Array[];
  private readonly divisors: Int32Array[];
  private readonly work = new Int32Array(64);

  constructor(
    private readonly frame: JpegFrame,
    private readonly pixels: Pixels,
  ) {
    const single = frame.components.length === 1;
    this.mcuW = single ? 8 : 8 * frame.hmax;
    this.mcuH = single ? 8 : 8 * frame.vmax;
    this.planes = frame.components.map(() => new Uint8Array(this.mcuW * this.mcuH));
    this.samples = frame.components.map((c) => new Uint8Array(single ? 64 : 64 * c.h * c.v));
    this.divisors = frame.components.map((c) => divisorsOf(frame.quantTables[c.tq]!.values));
  }

  /** Replaces the coefficients of every block of MCU (mcuX, mcuY) with those of the pixels it covers. */
  encode(mcuX: number, mcuY: number): void {
    this.fillPlanes(mcuX * this.mcuW, mcuY * this.mcuH);
    const single = this.frame.components.length === 1;
    this.frame.components.forEach((c, i) => {
      const h = single ? 1 : c.h;
      const v = single ? 1 : c.v;
      const sx = single ? 1 : this.frame.hmax / h;
      const sy = single ? 1 : this.frame.vmax / v;
      const samples = this.samples[i]!;
      downsample(this.planes[i]!, this.mcuW, samples, 8 * h, 8 * v, sx, sy);
      for (let by = 0; by < v; by++) {
        for (let bx = 0; bx < h; bx++) {
          const block = (mcuY * v + by) * c.blocksW + mcuX * h + bx;
          this.blockFrom(samples, 8 * h, bx * 8, by * 8);
          fdctQuantize(this.work, this.divisors[i]!, c.coefs, block * 64);
        }
      }
    });
  }

  private blockFrom(samples: Uint8Array, stride: number, x0: number, y0: number): void {
    const work = this.work;
    for (let y = 0; y < 8; y++) {
      const row = (y0 + y) * stride + x0;
      for (let x = 0; x < 8; x++) work[y * 8 + x] = samples[row + x]! - 128;
    }
  }

  /** The MCU's pixels converted to the frame's colour space, one plane per component, edges replicated. */
  private fillPlanes(x0: number, y0: number): void {
    const { data, width, height, channels } = this.pixels;
    const space = this.frame.colorSpace;
    const [p0, p1, p2] = this.planes;
    for (let y = 0; y < this.mcuH; y++) {
      const rowStart = Math.min(y0 + y, height - 1) * width;
      for (let x = 0; x < this.mcuW; x++) {
        const s = (rowStart + Math.min(x0 + x, width - 1)) * channels;
        const r = data[s]!;
        const g = channels === 1 ? r : data[s + 1]!;
        const b = channels === 1 ? r : data[s + 2]!;
        const o = y * this.mcuW + x;
        if (space === 'rgb') {
          p0![o] = r;
          p1![o] = g;
          p2![o] = b;
          continue;
        }
        p0![o] = (FIX_0_29900 * r + FIX_0_58700 * g + FIX_0_11400 * b + ONE_HALF) >> 16;
        if (space === 'gray') continue;
        p1![o] = (-FIX_0_16874 * r - FIX_0_33126 * g + FIX_0_50000 * b + CBCR_OFFSET + ONE_HALF - 1) >> 16;
        p2![o] = (FIX_0_50000 * r - FIX_0_41869 * g - FIX_0_08131 * b + CBCR_OFFSET + ONE_HALF - 1) >> 16;
      }
    }
  }
}

/** Box-filter downsampling by (sx, sy) with jcsample.c's rounding: alternating bias for 2×1 and 2×2. */
function downsample(
  plane: Uint8Array,
  stride: number,
  out: Uint8Array,
  outW: number,
  outH: number,
  sx: number,
  sy: number,
): void {
  const n = sx * sy;
  for (let y = 0; y < outH; y++) {
    for (let x = 0; x < outW; x++) {
      let sum = 0;
      for (let dy = 0; dy < sy; dy++) {
        const row = (y * sy + dy) * stride + x * sx;
        for (let dx = 0; dx < sx; dx++) sum += plane[row + dx]!;
      }
      let value: number;
      if (n === 1) value = sum;
      else if (sx === 2 && sy === 1) value = (sum + (x & 1)) >> 1;
      else if (sx === 2 && sy === 2) value = (sum + 1 + (x & 1)) >> 2;
      else value = Math.floor((sum + (n >> 1)) / n);
      out[y * outW + x] = value;
    }
  }
}
