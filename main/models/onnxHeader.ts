import { open, type FileHandle } from 'node:fs/promises';
import { IirError } from '../../shared/errors';
import { onnxTypes, type OnnxType } from './catalogSchema';

/** A graph input or output as the ONNX file declares it. A dim is a size, a symbol (`batch`), or null (unknown). */
export interface OnnxTensorInfo {
  name: string;
  type: OnnxType | `unknown(${number})` | null;
  shape: (number | string | null)[] | null;
}

export interface OnnxSignature {
  inputs: OnnxTensorInfo[];
  outputs: OnnxTensorInfo[];
}

// ONNX TensorProto.DataType values, in order from 1 (onnx.proto3).
const elemTypeNames: readonly OnnxType[] = onnxTypes;

const chunkBytes = 64 * 1024;

/**
 * Sequential protobuf reader over a file that only ever buffers a small window, so skipping a multi-GB initializer
 * is a seek, not a read: reading the signature of a 1.7 GB UNet costs a few hundred KB of I/O.
 */
export class FileReader {
  private buffer = Buffer.alloc(0);
  private bufferStart = 0;
  pos = 0;

  constructor(
    private readonly handle: FileHandle,
    readonly size: number,
  ) {}

  private async fill(min: number): Promise<void> {
    const offsetInBuffer = this.pos - this.bufferStart;
    if (offsetInBuffer >= 0 && offsetInBuffer + min <= this.buffer.length) return;
    const want = Math.max(min, chunkBytes);
    const next = Buffer.alloc(Math.min(want, this.size - this.pos));
    const { bytesRead } = await this.handle.read(next, 0, next.length, this.pos);
    this.buffer = next.subarray(0, bytesRead);
    this.bufferStart = this.pos;
    if (bytesRead < min) throw new Error('truncated');
  }

  async byte(): Promise<number> {
    await this.fill(1);
    const b = this.buffer[this.pos - this.bufferStart];
    this.pos += 1;
    if (b === undefined) throw new Error('truncated');
    return b;
  }

  async varint(): Promise<number> {
    let result = 0;
    let scale = 1;
    for (let i = 0; i < 10; i++) {
      const b = await this.byte();
      result += (b & 0x7f) * scale;
      if ((b & 0x80) === 0) return result;
      scale *= 128;
    }
    throw new Error('bad varint');
  }

  async bytes(length: number): Promise<Buffer> {
    if (length > 16 * 1024 * 1024) throw new Error('field too large');
    await this.fill(length);
    const start = this.pos - this.bufferStart;
    this.pos += length;
    return Buffer.from(this.buffer.subarray(start, start + length));
  }

  skip(length: number): void {
    if (this.pos + length > this.size) throw new Error('truncated');
    this.pos += length;
  }

  async skipField(wireType: number): Promise<void> {
    if (wireType === 0) await this.varint();
    else if (wireType === 1) this.skip(8);
    else if (wireType === 2) this.skip(await this.varint());
    else if (wireType === 5) this.skip(4);
    else throw new Error(`unsupported wire type ${wireType}`);
  }
}

/** Minimal in-memory reader for the small ValueInfoProto messages. */
class BufferReader {
  pos = 0;
  constructor(private readonly buf: Buffer) {}
  get done(): boolean {
    return this.pos >= this.buf.length;
  }
  varint(): number {
    let result = 0;
    let scale = 1;
    for (let i = 0; i < 10; i++) {
      const b = this.buf[this.pos++];
      if (b === undefined) throw new Error('truncated');
      result += (b & 0x7f) * scale;
      if ((b & 0x80) === 0) return result;
      scale *= 128;
    }
    throw new Error('bad varint');
  }
  bytes(): Buffer {
    const length = this.varint();
    if (this.pos + length > this.buf.length) throw new Error('truncated');
    const out = this.buf.subarray(this.pos, this.pos + length);
    this.pos += length;
    return out;
  }
  skip(wireType: number): void {
    if (wireType === 0) this.varint();
    else if (wireType === 1) this.pos += 8;
    else if (wireType === 2) this.bytes();
    else if (wireType === 5) this.pos += 4;
    else throw new Error(`unsupported wire type ${wireType}`);
  }
}

function parseDim(buf: Buffer): number | string | null {
  const r = new BufferReader(buf);
  let dim: number | string | null = null;
  while (!r.done) {
    const key = r.varint();
    const field = Math.floor(key / 8);
    if (field === 1 && key % 8 === 0) dim = r.varint();
    else if (field === 2 && key % 8 === 2) dim = r.bytes().toString('utf8');
    else r.skip(key % 8);
  }
  return dim;
}

function parseTensorType(buf: Buffer): Pick<OnnxTensorInfo, 'type' | 'shape'> {
  const r = new BufferReader(buf);
  let type: OnnxTensorInfo['type'] = null;
  let shape: OnnxTensorInfo['shape'] = null;
  while (!r.done) {
    const key = r.varint();
    const field = Math.floor(key / 8);
    if (field === 1 && key % 8 === 0) {
      const code = r.varint();
      type = elemTypeNames[code - 1] ?? `unknown(${code})`;
    } else if (field === 2 && key % 8 === 2) {
      const shapeReader = new BufferReader(r.bytes());
      shape = [];
      while (!shapeReader.done) {
        const k = shapeReader.varint();
        if (Math.floor(k / 8) === 1 && k % 8 === 2) shape.push(parseDim(shapeReader.bytes()));
        else shapeReader.skip(k % 8);
      }
    } else r.skip(key % 8);
  }
  return { type, shape };
}

function parseValueInfo(buf: Buffer): OnnxTensorInfo {
  const r = new BufferReader(buf);
  const info: OnnxTensorInfo = { name: '', type: null, shape: null };
  while (!r.done) {
    const key = r.varint();
    const field = Math.floor(key / 8);
    if (field === 1 && key % 8 === 2) info.name = r.bytes().toString('utf8');
    else if (field === 2 && key % 8 === 2) {
      // TypeProto: tensor_type = 1.
      const t = new BufferReader(r.bytes());
      while (!t.done) {
        const k = t.varint();
        if (Math.floor(k / 8) === 1 && k % 8 === 2) Object.assign(info, parseTensorType(t.bytes()));
        else t.skip(k % 8);
      }
    } else r.skip(key % 8);
  }
  return info;
}

/**
 * Reads the declared graph inputs and outputs of an ONNX file (ModelProto.graph.input / .output) without loading
 * its weights. Inputs that are also initializers (old exporters list weights as inputs) are left out.
 */
export async function readOnnxSignature(file: string): Promise<OnnxSignature> {
  return withOnnxReader(file, async (r) => {
    const { size } = r;
    const inputs: OnnxTensorInfo[] = [];
    const outputs: OnnxTensorInfo[] = [];
    const initializerNames = new Set<string>();
    let sawGraph = false;
    while (r.pos < size) {
      const key = await r.varint();
      const field = Math.floor(key / 8);
      const wire = key % 8;
      if (field === 7 && wire === 2) {
        sawGraph = true;
        const graphLength = await r.varint();
        const end = r.pos + graphLength;
        while (r.pos < end) {
          const gkey = await r.varint();
          const gfield = Math.floor(gkey / 8);
          const gwire = gkey % 8;
          if ((gfield === 11 || gfield === 12) && gwire === 2) {
            const info = parseValueInfo(await r.bytes(await r.varint()));
            (gfield === 11 ? inputs : outputs).push(info);
          } else if (gfield === 5 && gwire === 2) {
            // TensorProto initializer: only its name (field 8) is needed; the raw data is skipped by seeking.
            const tensorLength = await r.varint();
            r.pos = await initializerName(r, r.pos + tensorLength, initializerNames);
          } else await r.skipField(gwire);
        }
        if (r.pos !== end) throw new Error('graph length mismatch');
      } else await r.skipField(wire);
    }
    if (!sawGraph) throw new Error('no graph');
    return { inputs: inputs.filter((i) => !initializerNames.has(i.name)), outputs };
  });
}

async function initializerName(r: FileReader, end: number, names: Set<string>): Promise<number> {
  while (r.pos < end) {
    const key = await r.varint();
    if (Math.floor(key / 8) === 8 && key % 8 === 2) names.add((await r.bytes(await r.varint())).toString('utf8'));
    else await r.skipField(key % 8);
  }
  return end;
}

/**
 * Opens an ONNX file for reading its protobuf fields in place, runs `read` over it, and closes it: a multi-gigabyte
 * graph costs only the fields read. A file that cannot be parsed is a one-line `invalid_argument` naming it.
 */
export async function withOnnxReader<T>(file: string, read: (r: FileReader) => Promise<T>): Promise<T> {
  let handle: FileHandle;
  try {
    handle = await open(file, 'r');
  } catch (error) {
    throw new IirError('io_error', `cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`);
  }
  try {
    const { size } = await handle.stat();
    return await read(new FileReader(handle, size));
  } catch (error) {
    if (error instanceof IirError) throw error;
    throw new IirError('invalid_argument', `${file} is not a readable ONNX model (${(error as Error).message})`);
  } finally {
    await handle.close();
  }
}
