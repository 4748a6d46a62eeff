/**
 * Building ONNX protobuf messages for graph rewrites (the int8 quantizer, sliced attention): a NodeProto and an
 * integer AttributeProto, as field lists for {@link encode}. Field numbers: NodeProto input 1, output 2, name 3,
 * op_type 4, attribute 5; AttributeProto name 1, i 3, type 20 (INT = 2).
 */
import { encode, type Field, fieldKey, int64Varint, stringField, varintField } from './protobuf';

/** A NodeProto's bytes; its name is its output's unless given. */
export function nodeProto(
  op: string,
  inputs: readonly string[],
  output: string,
  attributes: readonly Field[] = [],
  name = output,
): Uint8Array {
  return encode([
    ...inputs.map((input) => stringField(1, input)),
    stringField(2, output),
    stringField(3, name),
    stringField(4, op),
    ...attributes,
  ]);
}

/** A NodeProto's integer attribute (negative values as int64). */
export function intAttribute(name: string, value: number): Field {
  const attribute = encode([
    stringField(1, name),
    { key: fieldKey(3, 0), value: Uint8Array.from(int64Varint(value)) },
    varintField(20, 2),
  ]);
  return { key: fieldKey(5, 2), value: attribute };
}

/**
 * A TensorProto's fields saying its data is `length` bytes at `offset` of `file` (beside the graph): external_data
 * 13 (key 1, value 2) and data_location 14 = EXTERNAL.
 */
export function externalFields(file: string, offset: number, length: number): Field[] {
  const entry = (key: string, value: string): Field => ({
    key: fieldKey(13, 2),
    value: encode([stringField(1, key), stringField(2, value)]),
  });
  return [
    entry('location', file),
    entry('offset', String(offset)),
    entry('length', String(length)),
    varintField(14, 1),
  ];
}
