/**
 * Just enough protobuf to rewrite ONNX models without a protobuf library (the app must not depend on onnx-proto):
 * split a message into fields, and encode fields back. Field values are views into the input, so rewriting one
 * node of a large model copies the rest once.
 */

/** One field: its key (field number × 8 + wire type) and value bytes (length-delimited values without the length). */
export interface Field {
  readonly key: number;
  readonly value: Uint8Array;
}

/** The key of field `field` with wire type `wire` (0 varint, 1 fixed64, 2 length-delimited, 5 fixed32). */
export const fieldKey = (field: number, wire: number): number => field * 8 + wire;

function readVarint(buf: Uint8Array, at: { pos: number }): number {
  let result = 0;
  let scale = 1;
  for (let i = 0; i < 10; i++) {
    const b = buf[at.pos++];
    if (b === undefined) throw new Error('truncated');
    result += (b & 0x7f) * scale;
    if ((b & 0x80) === 0) return result;
    scale *= 128;
  }
  throw new Error('bad varint');
}

/** The varint bytes of a non-negative integer. */
export function varint(value: number): number[] {
  const out: number[] = [];
  let v = value;
  while (v > 0x7f) {
    out.push((v & 0x7f) | 0x80);
    v = Math.floor(v / 128);
  }
  out.push(v);
  return out;
}

/** Splits a message into its fields (values are views, not copies). */
export function fields(buf: Uint8Array): Field[] {
  const out: Field[] = [];
  const at = { pos: 0 };
  while (at.pos < buf.length) {
    const key = readVarint(buf, at);
    const start = at.pos;
    const wire = key % 8;
    if (wire === 0) readVarint(buf, at);
    else if (wire === 1) at.pos += 8;
    else if (wire === 5) at.pos += 4;
    else if (wire === 2) {
      const length = readVarint(buf, at);
      out.push({ key, value: buf.subarray(at.pos, at.pos + length) });
      at.pos += length;
      continue;
    } else throw new Error(`unsupported wire type ${wire}`);
    out.push({ key, value: buf.subarray(start, at.pos) });
  }
  if (at.pos !== buf.length) throw new Error('truncated');
  return out;
}

/** Encodes fields into one message. */
export function encode(list: readonly Field[]): Uint8Array {
  const header = (f: Field): number[] =>
    f.key % 8 === 2 ? [...varint(f.key), ...varint(f.value.length)] : varint(f.key);
  const size = list.reduce((n, f) => n + header(f).length + f.value.length, 0);
  const out = new Uint8Array(size);
  let pos = 0;
  for (const f of list) {
    const h = header(f);
    out.set(h, pos);
    out.set(f.value, pos + h.length);
    pos += h.length + f.value.length;
  }
  return out;
}

/** A length-delimited string field. */
export function stringField(field: number, text: string): Field {
  return { key: fieldKey(field, 2), value: new TextEncoder().encode(text) };
}

/** A varint field. */
export function varintField(field: number, value: number): Field {
  return { key: fieldKey(field, 0), value: Uint8Array.from(varint(value)) };
}

/** The varint bytes of a signed 64-bit integer (a negative value takes ten bytes, two's complement). */
export function int64Varint(value: number): number[] {
  if (value >= 0) return varint(value);
  const out: number[] = [];
  let v = BigInt.asUintN(64, BigInt(value));
  while (v > 0x7fn) {
    out.push(Number(v & 0x7fn) | 0x80);
    v >>= 7n;
  }
  out.push(Number(v));
  return out;
}

function readInt64(buf: Uint8Array, at: { pos: number }): number {
  let result = 0n;
  for (let shift = 0n; shift < 70n; shift += 7n) {
    const b = buf[at.pos++];
    if (b === undefined) throw new Error('truncated');
    result |= BigInt(b & 0x7f) << shift;
    if ((b & 0x80) === 0) return Number(BigInt.asIntN(64, result));
  }
  throw new Error('bad varint');
}

/** A varint field's bytes read as a signed 64-bit integer. */
export function int64Value(bytes: Uint8Array): number {
  return readInt64(bytes, { pos: 0 });
}

/** The integers of a packed repeated int64 field. */
export function packedInt64s(bytes: Uint8Array): number[] {
  const out: number[] = [];
  const at = { pos: 0 };
  while (at.pos < bytes.length) out.push(readInt64(bytes, at));
  return out;
}

/** The value of a varint field's bytes. */
export function varintValue(bytes: Uint8Array): number {
  return readVarint(bytes, { pos: 0 });
}
