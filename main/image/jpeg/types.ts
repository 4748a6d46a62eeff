import { IirError } from '../../../shared/errors';

/** One image component of a JPEG frame, with its quantized DCT coefficients once a reader has filled them. */
export interface JpegComponent {
  /** The component identifier byte of the SOF segment (kept as is in the output). */
  readonly id: number;
  /** Horizontal and vertical sampling factors (1…4). */
  readonly h: number;
  readonly v: number;
  /** Quantization table slot (0…3). */
  readonly tq: number;
  /** Samples of this component across and down the image: ceil(width · h / hmax), ceil(height · v / vmax). */
  readonly sampleWidth: number;
  readonly sampleHeight: number;
  /** Blocks stored per row and column: the MCU-padded grid (interleaved frames) or the plain block grid (one component). */
  readonly blocksW: number;
  readonly blocksH: number;
  /** blocksW · blocksH blocks of 64 quantized coefficients each, in zigzag order. */
  readonly coefs: Int16Array;
}

/** The colour space a decoder gives the components, decided as libjpeg does (Adobe transform, JFIF, component ids). */
export type JpegColorSpace = 'gray' | 'ycbcr' | 'rgb' | 'cmyk' | 'ycck' | 'other';

/** One SOS segment and its entropy-coded data. */
export interface JpegScan {
  /** Indexes into {@link JpegFrame.components}. */
  readonly components: readonly number[];
  /** Decoding tables per scan component (65536-entry lookups, see huffman.ts); undefined where the scan needs none. */
  readonly dcTables: readonly (Uint16Array | undefined)[];
  readonly acTables: readonly (Uint16Array | undefined)[];
  readonly ss: number;
  readonly se: number;
  readonly ah: number;
  readonly al: number;
  readonly restartInterval: number;
  /** The entropy-coded bytes, up to (not including) the marker that ends the scan. */
  readonly data: Uint8Array;
}

/** A parsed JPEG file: frame header, tables, scans and the segments an output keeps byte for byte. */
export interface JpegFrame {
  readonly width: number;
  readonly height: number;
  readonly progressive: boolean;
  readonly components: readonly JpegComponent[];
  readonly hmax: number;
  readonly vmax: number;
  /** MCUs across and down in an interleaved scan (for one component: its blocks). */
  readonly mcusX: number;
  readonly mcusY: number;
  /** Quantization tables by slot, 64 values each in zigzag order; `sixteenBit` when the source stored them so. */
  readonly quantTables: readonly ({ values: Uint16Array; sixteenBit: boolean } | undefined)[];
  /** The restart interval in effect at the first scan (0: none). */
  readonly restartInterval: number;
  /** Every APPn and COM segment, marker and length included, in file order, and where each starts in the file. */
  readonly keptSegments: readonly Uint8Array[];
  readonly keptSegmentOffsets: readonly number[];
  /** Offset just past the end marker (EOI). */
  readonly imageEnd: number;
  /** Whatever follows the end marker: the secondary images of an MPF file (gain maps, depth maps, previews). */
  readonly trailing: Uint8Array;
  readonly colorSpace: JpegColorSpace;
  readonly scans: readonly JpegScan[];
}

/**
 * A well-formed JPEG that this module does not handle (arithmetic coding, lossless, 12-bit, hierarchical): the
 * caller re-encodes the whole image instead. The message is a plain sentence for the export panel.
 */
export class JpegUnsupportedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'JpegUnsupportedError';
  }
}

/** Damaged or truncated JPEG data: a one-line error for the person who chose the file. */
export function corruptJpeg(reason: string): IirError {
  return new IirError('invalid_argument', `the JPEG is truncated or corrupt (${reason})`);
}

/** Zigzag index → natural (row-major) index of the 8×8 block. */
export const zigzagToNatural = Int32Array.from([
  0, 1, 8, 16, 9, 2, 3, 10, 17, 24, 32, 25, 18, 11, 4, 5, 12, 19, 26, 33, 40, 48, 41, 34, 27, 20, 13, 6, 7, 14, 21, 28,
  35, 42, 49, 56, 57, 50, 43, 36, 29, 22, 15, 23, 30, 37, 44, 51, 58, 59, 52, 45, 38, 31, 39, 46, 53, 60, 61, 54, 47,
  55, 62, 63,
]);
