import type { ApiError, Envelope } from './envelope';

// shared/ compiles without DOM or Node types; both runtimes have these globals.
declare const TextEncoder: new () => { encode(input: string): Uint8Array };
declare const TextDecoder: new () => { decode(input: Uint8Array): string };

/** A message on the serve-mode WebSocket. Requests carry an id that the response echoes. */
export type WireMessage =
  | { readonly t: 'req'; readonly id: number; readonly channel: string; readonly request: unknown }
  | { readonly t: 'res'; readonly id: number; readonly envelope: Envelope<unknown> }
  | { readonly t: 'evt'; readonly channel: string; readonly payload: unknown };

/** The largest WebSocket message the server accepts; larger ones close the connection (code 1009). */
export const maxWireMessageBytes = 128 * 1024 * 1024;

const binKey = '\u0000bin';

/**
 * Sets `key` as an own data property: plain assignment of `"__proto__"` would replace the object's prototype instead,
 * hiding the key from validation (main refuses such keys by name).
 */
function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

function extract(value: unknown, blobs: Uint8Array[]): unknown {
  if (value instanceof Uint8Array) {
    blobs.push(value);
    return { [binKey]: blobs.length - 1 };
  }
  if (Array.isArray(value)) return value.map((item) => extract(item, blobs));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) out[key] = extract(item, blobs);
    return out;
  }
  return value;
}

function restore(value: unknown, blobs: readonly Uint8Array[]): unknown {
  if (Array.isArray(value)) return value.map((item) => restore(item, blobs));
  if (value !== null && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    const index = record[binKey];
    if (typeof index === 'number') {
      const blob = blobs[index];
      if (blob === undefined) throw new Error('wire message refers to a missing binary part');
      return blob;
    }
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(record)) setOwn(out, key, restore(item, blobs));
    return out;
  }
  return value;
}

/**
 * Encodes a message as one binary frame: a little-endian u32 header length, the JSON header, then every
 * `Uint8Array` of the message as raw bytes (pixels never become JSON arrays or base64).
 */
export function encodeWireMessage(message: WireMessage): Uint8Array<ArrayBuffer> {
  const blobs: Uint8Array[] = [];
  const body = extract(message, blobs);
  const header = new TextEncoder().encode(JSON.stringify({ m: body, b: blobs.map((blob) => blob.byteLength) }));
  const total = 4 + header.byteLength + blobs.reduce((sum, blob) => sum + blob.byteLength, 0);
  const out = new Uint8Array(total);
  new DataView(out.buffer).setUint32(0, header.byteLength, true);
  out.set(header, 4);
  let offset = 4 + header.byteLength;
  for (const blob of blobs) {
    out.set(blob, offset);
    offset += blob.byteLength;
  }
  return out;
}

/** Decodes {@link encodeWireMessage}'s frame. Throws on a malformed frame; the shape is checked by the caller. */
export function decodeWireMessage(frame: Uint8Array): unknown {
  if (frame.byteLength < 4) throw new Error('wire message too short');
  const view = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
  const headerBytes = view.getUint32(0, true);
  if (4 + headerBytes > frame.byteLength) throw new Error('wire message header overruns the frame');
  const header = JSON.parse(new TextDecoder().decode(frame.subarray(4, 4 + headerBytes))) as {
    m?: unknown;
    b?: unknown;
  };
  if (!Array.isArray(header.b) || !header.b.every((n) => Number.isInteger(n) && (n as number) >= 0)) {
    throw new Error('wire message has a malformed binary index');
  }
  const blobs: Uint8Array[] = [];
  let offset = 4 + headerBytes;
  for (const length of header.b as number[]) {
    if (offset + length > frame.byteLength) throw new Error('wire message binary part overruns the frame');
    blobs.push(frame.slice(offset, offset + length));
    offset += length;
  }
  return restore(header.m, blobs);
}

/** A failed call as the renderer client throws it: the envelope's code and message. */
export class ApiCallError extends Error {
  readonly code: ApiError['code'];

  constructor(error: ApiError) {
    super(error.message);
    this.name = 'ApiCallError';
    this.code = error.code;
  }
}
