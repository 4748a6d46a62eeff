import { BitReader } from './bitReader';
import { parseJpeg } from './parse';
import { acFirst, acRefine, type ProgressiveState } from './progressive';
import { corruptJpeg, type JpegFrame, type JpegScan } from './types';

/** Decodes one block at `offset` of component `scanIndex`'s coefficients (index into the scan's components). */
type BlockDecoder = (scanIndex: number, coefs: Int16Array, offset: number) => void;

/**
 * Reads a JPEG into its quantized DCT coefficients (every component, every scan: baseline or progressive, with
 * restart intervals). Throws `JpegUnsupportedError` for files this module does not read and an `invalid_argument`
 * error for truncated or damaged ones.
 */
export function readJpeg(bytes: Uint8Array): JpegFrame {
  const frame = parseJpeg(bytes);
  for (const scan of frame.scans) decodeScan(frame, scan);
  return frame;
}

function decodeScan(frame: JpegFrame, scan: JpegScan): void {
  const reader = new BitReader(scan.data);
  const state: ProgressiveState = { reader, eobRun: 0 };
  const predictions = new Int32Array(scan.components.length);
  const decodeBlock = blockDecoder(scan, reader, predictions, state);
  const reset = (index: number): void => {
    reader.restart(index);
    predictions.fill(0);
    state.eobRun = 0;
  };
  if (scan.components.length === 1) decodeSingle(frame, scan, decodeBlock, reset);
  else decodeInterleaved(frame, scan, decodeBlock, reset);
  reader.checkNotOverrun();
}

function blockDecoder(
  scan: JpegScan,
  reader: BitReader,
  predictions: Int32Array,
  state: ProgressiveState,
): BlockDecoder {
  const { ss, se, ah, al } = scan;
  if (ss === 0 && se === 63 && ah === 0 && al === 0) {
    return (i, coefs, offset) => {
      predictions[i] = baselineBlock(reader, scan.dcTables[i]!, scan.acTables[i]!, predictions[i]!, coefs, offset);
    };
  }
  if (ss === 0) {
    if (ah === 0) {
      return (i, coefs, offset) => {
        predictions[i] = predictions[i]! + dcDifference(reader, scan.dcTables[i]!);
        coefs[offset] = predictions[i] << al;
      };
    }
    return (_i, coefs, offset) => {
      if (reader.bit()) coefs[offset] = coefs[offset]! | (1 << al);
    };
  }
  if (ah === 0) return (i, coefs, offset) => acFirst(state, scan.acTables[i]!, ss, se, al, coefs, offset);
  return (i, coefs, offset) => acRefine(state, scan.acTables[i]!, ss, se, al, coefs, offset);
}

function dcDifference(reader: BitReader, table: Uint16Array): number {
  const s = reader.decode(table);
  if (s > 15) throw corruptJpeg('a DC difference is out of range');
  return reader.signed(s);
}

/** A sequential block: DC difference, then run-length coded AC. Returns the new DC prediction. */
function baselineBlock(
  reader: BitReader,
  dcTable: Uint16Array,
  acTable: Uint16Array,
  prediction: number,
  coefs: Int16Array,
  offset: number,
): number {
  const dc = prediction + dcDifference(reader, dcTable);
  coefs[offset] = dc;
  for (let k = 1; k < 64;) {
    const rs = reader.decode(acTable);
    const s = rs & 15;
    const r = rs >> 4;
    if (s === 0) {
      if (r !== 15) break;
      k += 16;
      continue;
    }
    k += r;
    if (k > 63) throw corruptJpeg('a block has more than 64 coefficients');
    coefs[offset + k] = reader.signed(s);
    k++;
  }
  return dc;
}

/** A one-component scan: its blocks in raster order over the component's own block grid (no MCU padding). */
function decodeSingle(
  frame: JpegFrame,
  scan: JpegScan,
  decodeBlock: BlockDecoder,
  reset: (index: number) => void,
): void {
  const component = frame.components[scan.components[0]!]!;
  const cols = Math.ceil(component.sampleWidth / 8);
  const rows = Math.ceil(component.sampleHeight / 8);
  const interval = scan.restartInterval;
  const coefs = component.coefs;
  let sinceRestart = 0;
  let restarts = 0;
  for (let row = 0; row < rows; row++) {
    for (let col = 0; col < cols; col++) {
      if (interval && sinceRestart === interval) {
        reset(restarts++);
        sinceRestart = 0;
      }
      decodeBlock(0, coefs, (row * component.blocksW + col) * 64);
      sinceRestart++;
    }
  }
}

/** An interleaved scan: MCU by MCU, each component's h × v blocks in raster order within the MCU. */
function decodeInterleaved(
  frame: JpegFrame,
  scan: JpegScan,
  decodeBlock: BlockDecoder,
  reset: (index: number) => void,
): void {
  const comps = scan.components.map((i) => frame.components[i]!);
  const interval = scan.restartInterval;
  let sinceRestart = 0;
  let restarts = 0;
  for (let mcuY = 0; mcuY < frame.mcusY; mcuY++) {
    for (let mcuX = 0; mcuX < frame.mcusX; mcuX++) {
      if (interval && sinceRestart === interval) {
        reset(restarts++);
        sinceRestart = 0;
      }
      for (let i = 0; i < comps.length; i++) {
        const c = comps[i]!;
        for (let v = 0; v < c.v; v++) {
          const rowBase = (mcuY * c.v + v) * c.blocksW + mcuX * c.h;
          for (let h = 0; h < c.h; h++) decodeBlock(i, c.coefs, (rowBase + h) * 64);
        }
      }
      sinceRestart++;
    }
  }
}
