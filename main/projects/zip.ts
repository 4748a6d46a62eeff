import { invalidArgument } from '../../shared/errors';

/** One file of a zip archive. */
export interface ZipEntry {
  /** Path inside the archive, `/`-separated, no leading slash, no `..`. */
  readonly name: string;
  readonly data: Uint8Array;
}

const crcTable = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** CRC-32 (the zip / PNG polynomial) of `data`. */
export function crc32(data: Uint8Array): number {
  let c = 0xffffffff;
  for (let i = 0; i < data.length; i++) c = crcTable[(c ^ data[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

const localSignature = 0x04034b50;
const centralSignature = 0x02014b50;
const endSignature = 0x06054b50;
/** General-purpose flag bit 11: names are UTF-8. */
const utf8Flag = 0x0800;
/** 1980-01-01 00:00 in DOS date/time: archives of the same files are byte-identical. */
const dosTime = 0;
const dosDate = (0 << 9) | (1 << 5) | 1;
const maxZipBytes = 0xffffffff;

function checkName(name: string): void {
  const parts = name.split('/');
  if (!name || name.startsWith('/') || name.includes('\\') || parts.some((p) => p === '' || p === '.' || p === '..')) {
    throw invalidArgument(`"${name}" cannot be a file name inside a project`);
  }
}

/**
 * A zip archive of `entries`, stored (not compressed: PNG and JPEG are compressed already), with CRC-32s, UTF-8 names
 * and a fixed time stamp. No zip64: the archive must stay under 4 GiB.
 */
export function writeZip(entries: readonly ZipEntry[]): Uint8Array {
  const encoder = new TextEncoder();
  const parts: Uint8Array[] = [];
  const central: Uint8Array[] = [];
  let offset = 0;
  for (const entry of entries) {
    checkName(entry.name);
    const name = encoder.encode(entry.name);
    const crc = crc32(entry.data);
    const local = new DataView(new ArrayBuffer(30));
    local.setUint32(0, localSignature, true);
    local.setUint16(4, 20, true);
    local.setUint16(6, utf8Flag, true);
    local.setUint16(8, 0, true);
    local.setUint16(10, dosTime, true);
    local.setUint16(12, dosDate, true);
    local.setUint32(14, crc, true);
    local.setUint32(18, entry.data.length, true);
    local.setUint32(22, entry.data.length, true);
    local.setUint16(26, name.length, true);
    local.setUint16(28, 0, true);
    const record = new DataView(new ArrayBuffer(46));
    record.setUint32(0, centralSignature, true);
    record.setUint16(4, 20, true);
    record.setUint16(6, 20, true);
    record.setUint16(8, utf8Flag, true);
    record.setUint16(10, 0, true);
    record.setUint16(12, dosTime, true);
    record.setUint16(14, dosDate, true);
    record.setUint32(16, crc, true);
    record.setUint32(20, entry.data.length, true);
    record.setUint32(24, entry.data.length, true);
    record.setUint16(28, name.length, true);
    record.setUint32(42, offset, true);
    parts.push(new Uint8Array(local.buffer), name, entry.data);
    central.push(new Uint8Array(record.buffer), name);
    offset += 30 + name.length + entry.data.length;
    if (offset > maxZipBytes) throw invalidArgument('the project is larger than 4 GiB');
  }
  const centralBytes = central.reduce((sum, part) => sum + part.length, 0);
  const end = new DataView(new ArrayBuffer(22));
  end.setUint32(0, endSignature, true);
  end.setUint16(8, entries.length, true);
  end.setUint16(10, entries.length, true);
  end.setUint32(12, centralBytes, true);
  end.setUint32(16, offset, true);
  const out = new Uint8Array(offset + centralBytes + 22);
  let at = 0;
  for (const part of [...parts, ...central, new Uint8Array(end.buffer)]) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

function findEnd(view: DataView): number {
  for (let at = view.byteLength - 22; at >= Math.max(0, view.byteLength - 22 - 0xffff); at--) {
    if (view.getUint32(at, true) === endSignature) return at;
  }
  throw invalidArgument('this is not a project file (no zip directory at its end)');
}

/**
 * The files of a zip archive whose entries are stored (as {@link writeZip} writes them), checked against their
 * CRC-32s. Compressed or encrypted entries and zip64 archives are refused with a plain message.
 */
export function readZip(bytes: Uint8Array): Map<string, Uint8Array> {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const damaged = (why: string) => invalidArgument(`this project file is damaged (${why})`);
  if (bytes.length < 22) throw invalidArgument('this is not a project file (it is too short)');
  const end = findEnd(view);
  const count = view.getUint16(end + 10, true);
  let at = view.getUint32(end + 16, true);
  const decoder = new TextDecoder('utf-8', { fatal: true });
  const files = new Map<string, Uint8Array>();
  for (let i = 0; i < count; i++) {
    if (at + 46 > end || view.getUint32(at, true) !== centralSignature) throw damaged('its directory is cut short');
    const flags = view.getUint16(at + 8, true);
    const method = view.getUint16(at + 10, true);
    const crc = view.getUint32(at + 16, true);
    const size = view.getUint32(at + 20, true);
    const nameLength = view.getUint16(at + 28, true);
    const extraLength = view.getUint16(at + 30, true);
    const commentLength = view.getUint16(at + 32, true);
    const local = view.getUint32(at + 42, true);
    const name = decoder.decode(bytes.subarray(at + 46, at + 46 + nameLength));
    if (flags & 1) throw invalidArgument(`${name} in this project is encrypted, which IIR Studio does not open`);
    if (method !== 0)
      throw invalidArgument(`${name} in this project is compressed; IIR Studio writes and reads stored files`);
    checkName(name);
    if (local + 30 > bytes.length || view.getUint32(local, true) !== localSignature)
      throw damaged(`${name} is missing`);
    const start = local + 30 + view.getUint16(local + 26, true) + view.getUint16(local + 28, true);
    if (start + size > bytes.length) throw damaged(`${name} is cut short`);
    const data = bytes.subarray(start, start + size);
    if (crc32(data) !== crc) throw damaged(`${name} does not match its checksum`);
    files.set(name, data);
    at += 46 + nameLength + extraLength + commentLength;
  }
  return files;
}
