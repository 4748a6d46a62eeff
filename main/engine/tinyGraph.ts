/**
 * A minimal ONNX protobuf writer, just enough to build the pre-flight self-test graph in memory. The app must not
 * depend on onnx-proto (a dev dependency used by the test fixtures), and a hand-written constant byte array could
 * not be read or changed; ~60 lines of varint/length-delimited encoding can.
 *
 * Field numbers are those of onnx.proto3 (ModelProto, GraphProto, NodeProto, ValueInfoProto, TypeProto,
 * TensorShapeProto, OperatorSetIdProto).
 */

type Field = [fieldNumber: number, value: number | string | Uint8Array];

function varint(value: number): number[] {
  const bytes: number[] = [];
  let v = value;
  while (v > 0x7f) {
    bytes.push((v & 0x7f) | 0x80);
    v = Math.floor(v / 128);
  }
  bytes.push(v);
  return bytes;
}

/** Encodes one message: numbers as varints (wire type 0), strings and sub-messages length-delimited (wire type 2). */
function message(fields: readonly Field[]): Uint8Array {
  const out: number[] = [];
  const encoder = new TextEncoder();
  for (const [fieldNumber, value] of fields) {
    if (typeof value === 'number') {
      out.push(...varint(fieldNumber * 8), ...varint(value));
    } else {
      const bytes = typeof value === 'string' ? encoder.encode(value) : value;
      out.push(...varint(fieldNumber * 8 + 2), ...varint(bytes.length), ...bytes);
    }
  }
  return Uint8Array.from(out);
}

const float32ElemType = 1;

function tensorValueInfo(name: string, dims: readonly number[]): Uint8Array {
  const shape = message(dims.map((d): Field => [1, message([[1, d]])]));
  const tensorType = message([
    [1, float32ElemType],
    [2, shape],
  ]);
  return message([
    [1, name],
    [2, message([[1, tensorType]])],
  ]);
}

/**
 * `y = Mul(Add(a, b), b)` on float32 [1, 8]: two kernels and an intermediate tensor, so a provider that cannot run
 * elementwise float maths or move data between its kernels fails the check, while the graph stays tiny enough to
 * compile in milliseconds on any provider.
 */
export function buildSelfTestGraph(): Uint8Array {
  const dims = [1, 8];
  const add = message([
    [1, 'a'],
    [1, 'b'],
    [2, 's'],
    [3, 'add'],
    [4, 'Add'],
  ]);
  const mul = message([
    [1, 's'],
    [1, 'b'],
    [2, 'y'],
    [3, 'mul'],
    [4, 'Mul'],
  ]);
  const graph = message([
    [1, add],
    [1, mul],
    [2, 'preflight'],
    [11, tensorValueInfo('a', dims)],
    [11, tensorValueInfo('b', dims)],
    [12, tensorValueInfo('y', dims)],
  ]);
  return message([
    [1, 8], // ir_version 8 (ONNX 1.13+), which every onnxruntime from 1.14 on reads
    [2, 'iir-studio'],
    [7, graph],
    [
      8,
      message([
        [1, ''],
        [2, 17],
      ]),
    ],
  ]);
}
