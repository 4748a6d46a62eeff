import type { BitReader } from './bitReader';
import { corruptJpeg } from './types';

/** What progressive AC decoding carries from block to block: the reader and the pending end-of-band run. */
export interface ProgressiveState {
  readonly reader: BitReader;
  eobRun: number;
}

/** First AC scan of a band (JPEG G.1.2.2, libjpeg's `decode_mcu_AC_first`). */
export function acFirst(
  state: ProgressiveState,
  table: Uint16Array,
  ss: number,
  se: number,
  al: number,
  coefs: Int16Array,
  offset: number,
): void {
  if (state.eobRun > 0) {
    state.eobRun--;
    return;
  }
  const reader = state.reader;
  for (let k = ss; k <= se; k++) {
    const rs = reader.decode(table);
    const r = rs >> 4;
    const s = rs & 15;
    if (s) {
      k += r;
      if (k > se) throw corruptJpeg('a progressive band overruns its end');
      coefs[offset + k] = reader.signed(s) * (1 << al);
    } else if (r === 15) {
      k += 15;
    } else {
      state.eobRun = (1 << r) - 1;
      if (r) state.eobRun += reader.bits(r);
      break;
    }
  }
}

/**
 * Refinement AC scan (JPEG G.1.2.3, libjpeg's `decode_mcu_AC_refine`): one correction bit for each coefficient that
 * is already non-zero, and new ±1 coefficients placed after the given run of zero-history coefficients.
 */
export function acRefine(
  state: ProgressiveState,
  table: Uint16Array,
  ss: number,
  se: number,
  al: number,
  coefs: Int16Array,
  offset: number,
): void {
  const reader = state.reader;
  const p1 = 1 << al;
  const m1 = -1 << al;
  let k = ss;
  if (state.eobRun === 0) {
    for (; k <= se; k++) {
      const rs = reader.decode(table);
      let r = rs >> 4;
      let s = rs & 15;
      if (s) {
        if (s !== 1) throw corruptJpeg('a refinement scan codes a coefficient larger than one step');
        s = reader.bit() ? p1 : m1;
      } else if (r !== 15) {
        state.eobRun = 1 << r;
        if (r) state.eobRun += reader.bits(r);
        break;
      }
      do {
        const c = coefs[offset + k]!;
        if (c !== 0) refineBit(reader, coefs, offset + k, c, p1, m1);
        else if (--r < 0) break;
        k++;
      } while (k <= se);
      if (s && k <= se) coefs[offset + k] = s;
    }
  }
  if (state.eobRun > 0) {
    for (; k <= se; k++) {
      const c = coefs[offset + k]!;
      if (c !== 0) refineBit(reader, coefs, offset + k, c, p1, m1);
    }
    state.eobRun--;
  }
}

function refineBit(reader: BitReader, coefs: Int16Array, index: number, c: number, p1: number, m1: number): void {
  if (reader.bit() && (c & p1) === 0) coefs[index] = c + (c >= 0 ? p1 : m1);
}
