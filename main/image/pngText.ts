import { crc32, inflateSync } from 'node:zlib';
import { invalidArgument } from '../../shared/errors';

const signature = Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a);
const latin1 = new TextDecoder('latin1');
const utf8 = new TextDecoder('utf-8');

/** True when `bytes` start with the PNG signature. */
export function isPng(bytes: Uint8Array): boolean {
  return bytes.length >= 8 && signature.every((b, i) => bytes[i] === b);
}

export interface Chunk {
  readonly type: string;
  /** Offset of the chunk's length field. */
  readonly start: number;
  readonly data: Uint8Array;
}

export function* chunks(png: Uint8Array): Generator<Chunk> {
  const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
  let offset = 8;
  while (offset + 12 <= png.length) {
    const length = view.getUint32(offset);
    const type = latin1.decode(png.subarray(offset + 4, offset + 8));
    const dataEnd = offset + 8 + length;
    if (dataEnd + 4 > png.length) return;
    yield { type, start: offset, data: png.subarray(offset + 8, dataEnd) };
    if (type === 'IEND') return;
    offset = dataEnd + 4;
  }
}

/** Builds one PNG chunk: length, type, data, CRC-32 over type and data. */
export function pngChunk(type: string, data: Uint8Array): Uint8Array {
  const chunk = new Uint8Array(12 + data.length);
  const view = new DataView(chunk.buffer);
  view.setUint32(0, data.length);
  chunk.set(new TextEncoder().encode(type), 4);
  chunk.set(data, 8);
  view.setUint32(8 + data.length, crc32(chunk.subarray(4, 8 + data.length)));
  return chunk;
}

function checkKeyword(key: string): void {
  // PNG keywords: 1–79 Latin-1 printable characters, no leading, trailing or doubled spaces.
  if (!/^[\x21-\x7e\xa1-\xff]([\x20-\x7e\xa1-\xff]{0,77}[\x21-\x7e\xa1-\xff])?$/.test(key) || key.includes('  ')) {
    throw invalidArgument(`"${key}" cannot be a metadata key: use 1–79 printable Latin-1 characters`);
  }
}

/** A tEXt chunk when key and value are ASCII, otherwise an uncompressed iTXt chunk (UTF-8). */
function textChunk(key: string, value: string): Uint8Array {
  checkKeyword(key);
  // eslint-disable-next-line no-control-regex
  if (/^[\x00-\x7f]*$/.test(value) && !value.includes('\0')) {
    return pngChunk('tEXt', new TextEncoder().encode(`${key}\0${value}`));
  }
  const keyBytes = Uint8Array.from(key, (c) => c.charCodeAt(0));
  const valueBytes = new TextEncoder().encode(value);
  // keyword \0, compression flag 0, method 0, empty language tag \0, empty translated keyword \0, text
  const data = new Uint8Array(keyBytes.length + 5 + valueBytes.length);
  data.set(keyBytes, 0);
  data.set(valueBytes, keyBytes.length + 5);
  return pngChunk('iTXt', data);
}

/** Inserts text chunks right after IHDR, so readers that stop at the first IDAT still see them. */
export function addPngText<T extends Uint8Array>(
  png: T,
  metadata: Readonly<Record<string, string>>,
): T | Uint8Array<ArrayBuffer> {
  const entries = Object.entries(metadata);
  if (entries.length === 0) return png;
  const first = chunks(png).next();
  if (first.done || first.value.type !== 'IHDR') throw new Error('not a PNG: IHDR is missing');
  const insertAt = first.value.start + 12 + first.value.data.length;
  const added = entries.map(([key, value]) => textChunk(key, value));
  const out = new Uint8Array(png.length + added.reduce((n, c) => n + c.length, 0));
  out.set(png.subarray(0, insertAt), 0);
  let offset = insertAt;
  for (const chunk of added) {
    out.set(chunk, offset);
    offset += chunk.length;
  }
  out.set(png.subarray(insertAt), offset);
  return out;
}

/** Reads every tEXt, zTXt and iTXt chunk of a PNG as key → text (a later duplicate key wins). */
export function readPngText(png: Uint8Array): Record<string, string> {
  const text: Record<string, string> = {};
  for (const { type, data } of chunks(png)) {
    if (type !== 'tEXt' && type !== 'zTXt' && type !== 'iTXt') continue;
    const keyEnd = data.indexOf(0);
    if (keyEnd < 1) continue;
    const key = latin1.decode(data.subarray(0, keyEnd));
    if (type === 'tEXt') {
      text[key] = latin1.decode(data.subarray(keyEnd + 1));
    } else if (type === 'zTXt') {
      text[key] = latin1.decode(inflateSync(data.subarray(keyEnd + 2)));
    } else {
      const compressed = data[keyEnd + 1] === 1;
      const languageEnd = data.indexOf(0, keyEnd + 3);
      const translatedEnd = languageEnd < 0 ? -1 : data.indexOf(0, languageEnd + 1);
      if (translatedEnd < 0) continue;
      const body = data.subarray(translatedEnd + 1);
      text[key] = utf8.decode(compressed ? inflateSync(body) : body);
    }
  }
  return text;
}
