/**
 * File plumbing of the int8 quantizer: reading an initializer's bytes where they are (an external data file, or
 * inline in the model file) in bounded chunks, and appending to the new external data file while hashing it, so
 * no more than one weight is ever held in memory.
 */
import { createHash, type Hash } from 'node:crypto';
import { open, type FileHandle } from 'node:fs/promises';
import type { DataLocation, InitializerPart } from './onnxParts';
import { fieldKey } from './protobuf';

const chunkBytes = 4 * 1024 * 1024;

/** Reads initializer bytes from the files they live in, keeping each file open once. */
export class SourceData {
  private readonly handles = new Map<string, FileHandle>();

  private async handle(file: string): Promise<FileHandle> {
    let h = this.handles.get(file);
    if (!h) {
      h = await open(file, 'r');
      this.handles.set(file, h);
    }
    return h;
  }

  /** Reads `length` bytes at `offset` of `file` into `target` (which must hold them). */
  private async readInto(loc: DataLocation, target: Uint8Array): Promise<void> {
    const h = await this.handle(loc.file);
    let done = 0;
    while (done < loc.length) {
      const n = Math.min(chunkBytes, loc.length - done);
      const { bytesRead } = await h.read(target, done, n, loc.offset + done);
      if (bytesRead === 0) throw new Error(`${loc.file} ends before the weights it should hold`);
      done += bytesRead;
    }
  }

  /** Passes the bytes of `loc` to `sink` in chunks of at most 4 MB. */
  async stream(loc: DataLocation, sink: (chunk: Uint8Array) => Promise<void>): Promise<void> {
    const buffer = new Uint8Array(Math.min(chunkBytes, loc.length));
    for (let done = 0; done < loc.length; done += buffer.length) {
      const n = Math.min(buffer.length, loc.length - done);
      const view = buffer.subarray(0, n);
      await this.readInto({ file: loc.file, offset: loc.offset + done, length: n }, view);
      await sink(view);
    }
  }

  /** The float32 values of a weight: its located bytes, or its inline raw_data / float_data. */
  async floats(part: InitializerPart, count: number): Promise<Float32Array> {
    const values = new Float32Array(count);
    const bytes = new Uint8Array(values.buffer);
    if (part.data) {
      if (part.data.length !== count * 4) throw new Error(`weight ${part.name} holds ${part.data.length} bytes`);
      await this.readInto(part.data, bytes);
      return values;
    }
    const raw = part.fields.find((f) => f.key === fieldKey(9, 2) || f.key === fieldKey(4, 2));
    if (raw) {
      if (raw.value.length !== count * 4) throw new Error(`weight ${part.name} holds ${raw.value.length} bytes`);
      bytes.set(raw.value);
      return values;
    }
    const unpacked = part.fields.filter((f) => f.key === fieldKey(4, 5));
    if (unpacked.length !== count) throw new Error(`weight ${part.name} has no data`);
    unpacked.forEach((f, i) => bytes.set(f.value, i * 4));
    return values;
  }

  async close(): Promise<void> {
    for (const h of this.handles.values()) await h.close();
    this.handles.clear();
  }
}

/** The new external data file, appended to in order and hashed as it is written. */
export class DataSink {
  private readonly hash: Hash = createHash('sha256');
  offset = 0;

  private constructor(private readonly handle: FileHandle) {}

  static async create(path: string): Promise<DataSink> {
    return new DataSink(await open(path, 'wx'));
  }

  async write(bytes: Uint8Array): Promise<void> {
    let done = 0;
    while (done < bytes.length) {
      const { bytesWritten } = await this.handle.write(bytes, done, bytes.length - done, this.offset + done);
      done += bytesWritten;
    }
    this.hash.update(bytes);
    this.offset += bytes.length;
  }

  /** Flushes and closes the file; returns its size and SHA-256. */
  async finish(): Promise<{ bytes: number; sha256: string }> {
    await this.handle.sync();
    await this.handle.close();
    return { bytes: this.offset, sha256: this.hash.digest('hex') };
  }

  /** Closes without flushing (the caller removes the unfinished file). */
  async abandon(): Promise<void> {
    await this.handle.close().catch(() => undefined);
  }
}

/** Writes a small file with `wx`, flushed; returns its size and SHA-256. */
export async function writeNewFile(path: string, bytes: Uint8Array): Promise<{ bytes: number; sha256: string }> {
  const handle = await open(path, 'wx');
  try {
    await handle.writeFile(bytes);
    await handle.sync();
  } finally {
    await handle.close();
  }
  return { bytes: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') };
}
