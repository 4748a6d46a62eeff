/**
 * Just enough of ICC.1 (v2 and v4) to convert between a file's own profile and sRGB: matrix/TRC RGB profiles
 * (Adobe RGB, Display P3, ProPhoto, most camera and monitor profiles) and gray TRC profiles. CMYK and lookup-table
 * (A2B/B2A) profiles are recognised but not converted here; {@link IccError} says why a profile is refused.
 */

/** Why a profile cannot be used (damaged or unsupported); the message is one human line. */
export class IccError extends Error {}

/** A tone reproduction curve: encoded value in [0,1] → linear in [0,1], and its inverse. */
export interface ToneCurve {
  toLinear(encoded: number): number;
  toEncoded(linear: number): number;
}

export type Mat3 = readonly [number, number, number, number, number, number, number, number, number];

/** A parsed profile that IIR Studio can convert. */
export type ColourProfile =
  | { readonly kind: 'rgb'; readonly description: string; readonly toXyz: Mat3; readonly curves: readonly ToneCurve[] }
  | { readonly kind: 'gray'; readonly description: string; readonly curve: ToneCurve }
  | { readonly kind: 'cmyk'; readonly description: string };

interface Tag {
  readonly offset: number;
  readonly size: number;
}

const ascii = new TextDecoder('latin1');

function signature(view: DataView, offset: number): string {
  return ascii.decode(new Uint8Array(view.buffer, view.byteOffset + offset, 4));
}

function s15Fixed16(view: DataView, offset: number): number {
  return view.getInt32(offset) / 65536;
}

function readTags(view: DataView): Map<string, Tag> {
  const count = view.getUint32(128);
  if (count > 1000 || 132 + count * 12 > view.byteLength) throw new IccError('its tag table is cut short');
  const tags = new Map<string, Tag>();
  for (let i = 0; i < count; i++) {
    const at = 132 + i * 12;
    const tag = { offset: view.getUint32(at + 4), size: view.getUint32(at + 8) };
    if (tag.offset + tag.size > view.byteLength || tag.size < 8) {
      throw new IccError(`its ${signature(view, at).trim()} tag points outside the profile`);
    }
    tags.set(signature(view, at), tag);
  }
  return tags;
}

function gammaCurve(gamma: number): ToneCurve {
  if (!(gamma > 0)) throw new IccError(`its tone curve has gamma ${gamma}`);
  return { toLinear: (x) => Math.pow(x, gamma), toEncoded: (y) => Math.pow(y, 1 / gamma) };
}

function tableCurve(table: Float64Array): ToneCurve {
  const n = table.length - 1;
  for (let i = 1; i <= n; i++) {
    if (table[i]! < table[i - 1]!) throw new IccError('its tone curve is not monotonic');
  }
  return {
    toLinear(x) {
      const p = Math.min(n, Math.max(0, x * n));
      const i = Math.min(n - 1, Math.floor(p));
      return table[i]! + (table[i + 1]! - table[i]!) * (p - i);
    },
    toEncoded(y) {
      if (y <= table[0]!) return 0;
      if (y >= table[n]!) return 1;
      let lo = 0;
      let hi = n;
      while (hi - lo > 1) {
        const mid = (lo + hi) >> 1;
        if (table[mid]! <= y) lo = mid;
        else hi = mid;
      }
      const span = table[hi]! - table[lo]!;
      return (lo + (span > 0 ? (y - table[lo]!) / span : 0)) / n;
    },
  };
}

/** ICC parametricCurveType, functions 0–4 (ICC.1:2010 table 65), with their analytic inverses. */
function parametricCurve(type: number, p: readonly number[]): ToneCurve {
  const [g = 1, a = 1, b = 0, c = 0, d = 0, e = 0, f = 0] = p;
  if (!(g > 0)) throw new IccError(`its parametric tone curve has gamma ${g}`);
  const pow = (x: number): number => Math.pow(Math.max(0, x), g);
  const root = (y: number): number => Math.pow(Math.max(0, y), 1 / g);
  switch (type) {
    case 0:
      return gammaCurve(g);
    case 1:
      return { toLinear: (x) => (x >= -b / a ? pow(a * x + b) : 0), toEncoded: (y) => (root(y) - b) / a };
    case 2:
      return { toLinear: (x) => (x >= -b / a ? pow(a * x + b) + c : c), toEncoded: (y) => (root(y - c) - b) / a };
    case 3: {
      const knee = pow(a * d + b);
      return {
        toLinear: (x) => (x >= d ? pow(a * x + b) : c * x),
        toEncoded: (y) => (y >= knee ? (root(y) - b) / a : c > 0 ? y / c : 0),
      };
    }
    case 4: {
      const knee = pow(a * d + b) + e;
      return {
        toLinear: (x) => (x >= d ? pow(a * x + b) + e : c * x + f),
        toEncoded: (y) => (y >= knee ? (root(y - e) - b) / a : c > 0 ? (y - f) / c : 0),
      };
    }
    default:
      throw new IccError(`its tone curve uses parametric function ${type}, which ICC does not define`);
  }
}

function readCurve(view: DataView, tag: Tag): ToneCurve {
  const type = signature(view, tag.offset);
  if (type === 'curv') {
    const count = view.getUint32(tag.offset + 8);
    if (12 + count * 2 > tag.size) throw new IccError('its tone curve is cut short');
    if (count === 0) return gammaCurve(1);
    if (count === 1) return gammaCurve(view.getUint16(tag.offset + 12) / 256);
    const table = new Float64Array(count);
    for (let i = 0; i < count; i++) table[i] = view.getUint16(tag.offset + 12 + i * 2) / 65535;
    return tableCurve(table);
  }
  if (type === 'para') {
    const fn = view.getUint16(tag.offset + 8);
    const counts = [1, 3, 4, 5, 7];
    const n = counts[fn] ?? 0;
    if (12 + n * 4 > tag.size) throw new IccError('its parametric tone curve is cut short');
    const params = Array.from({ length: n }, (_, i) => s15Fixed16(view, tag.offset + 12 + i * 4));
    return parametricCurve(fn, params);
  }
  throw new IccError(`its tone curve has type "${type.trim()}"`);
}

function readXyz(view: DataView, tag: Tag): [number, number, number] {
  if (signature(view, tag.offset) !== 'XYZ ' || tag.size < 20) throw new IccError('a colorant tag is not XYZ');
  return [s15Fixed16(view, tag.offset + 8), s15Fixed16(view, tag.offset + 12), s15Fixed16(view, tag.offset + 16)];
}

function readDescription(view: DataView, tags: Map<string, Tag>): string {
  const tag = tags.get('desc');
  if (!tag) return 'unnamed profile';
  const type = signature(view, tag.offset);
  const bytes = new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
  if (type === 'desc') {
    const length = view.getUint32(tag.offset + 8);
    const text = bytes.subarray(tag.offset + 12, Math.min(tag.offset + 12 + length, tag.offset + tag.size));
    return ascii.decode(text).replace(/\0+$/, '') || 'unnamed profile';
  }
  if (type === 'mluc' && view.getUint32(tag.offset + 8) > 0) {
    const length = view.getUint32(tag.offset + 20);
    const start = tag.offset + view.getUint32(tag.offset + 24);
    const units: number[] = [];
    for (let i = 0; i + 1 < length && start + i + 1 < tag.offset + tag.size; i += 2)
      units.push(view.getUint16(start + i));
    return String.fromCharCode(...units).replace(/\0+$/, '') || 'unnamed profile';
  }
  return 'unnamed profile';
}

/** Parses an embedded ICC profile; throws {@link IccError} (a reason fit for "the profile … is damaged: …"). */
export function parseIccProfile(bytes: Uint8Array): ColourProfile {
  if (bytes.length < 132) throw new IccError(`it is only ${bytes.length} bytes long`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (signature(view, 36) !== 'acsp') throw new IccError('its header lacks the "acsp" signature');
  const declared = view.getUint32(0);
  if (declared > bytes.length) throw new IccError(`its header says ${declared} bytes but it holds ${bytes.length}`);
  const space = signature(view, 16);
  const pcs = signature(view, 20);
  const tags = readTags(view);
  const description = readDescription(view, tags);
  if (space === 'CMYK') return { kind: 'cmyk', description };
  if (pcs !== 'XYZ ' && pcs !== 'Lab ') throw new IccError(`its connection space "${pcs.trim()}" is not XYZ or Lab`);
  if (space === 'GRAY') {
    const k = tags.get('kTRC');
    if (!k) throw new IccError('this gray profile has no gray tone curve (kTRC)');
    return { kind: 'gray', description, curve: readCurve(view, k) };
  }
  if (space !== 'RGB ') throw new IccError(`its colour space "${space.trim()}" is not RGB, gray or CMYK`);
  const r = tags.get('rXYZ');
  const g = tags.get('gXYZ');
  const b = tags.get('bXYZ');
  const rc = tags.get('rTRC');
  const gc = tags.get('gTRC');
  const bc = tags.get('bTRC');
  if (!r || !g || !b || !rc || !gc || !bc || pcs !== 'XYZ ') {
    throw new IccError('it is a lookup-table profile, and only matrix/TRC RGB profiles are converted');
  }
  const [rx, ry, rz] = readXyz(view, r);
  const [gx, gy, gz] = readXyz(view, g);
  const [bx, by, bz] = readXyz(view, b);
  const toXyz: Mat3 = [rx, gx, bx, ry, gy, by, rz, gz, bz];
  if (!(Math.abs(determinant(toXyz)) > 1e-6)) throw new IccError('its colorants do not span a colour space');
  return { kind: 'rgb', description, toXyz, curves: [readCurve(view, rc), readCurve(view, gc), readCurve(view, bc)] };
}

export function determinant(m: Mat3): number {
  return m[0] * (m[4] * m[8] - m[5] * m[7]) - m[1] * (m[3] * m[8] - m[5] * m[6]) + m[2] * (m[3] * m[7] - m[4] * m[6]);
}

export function invert(m: Mat3): Mat3 {
  const det = determinant(m);
  return [
    (m[4] * m[8] - m[5] * m[7]) / det,
    (m[2] * m[7] - m[1] * m[8]) / det,
    (m[1] * m[5] - m[2] * m[4]) / det,
    (m[5] * m[6] - m[3] * m[8]) / det,
    (m[0] * m[8] - m[2] * m[6]) / det,
    (m[2] * m[3] - m[0] * m[5]) / det,
    (m[3] * m[7] - m[4] * m[6]) / det,
    (m[1] * m[6] - m[0] * m[7]) / det,
    (m[0] * m[4] - m[1] * m[3]) / det,
  ];
}

export function multiply(a: Mat3, b: Mat3): Mat3 {
  const out = new Array<number>(9);
  for (let r = 0; r < 3; r++) {
    for (let c = 0; c < 3; c++)
      out[r * 3 + c] = a[r * 3]! * b[c]! + a[r * 3 + 1]! * b[3 + c]! + a[r * 3 + 2]! * b[6 + c]!;
  }
  return out as unknown as Mat3;
}
