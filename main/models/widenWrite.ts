/**
 * Writes the fp32 graph of an fp16 ONNX model (see widenModel.ts): every fp16 initializer becomes fp32 in the new
 * external data file, converted 4 MB of fp16 at a time (so no weight is ever held whole), other initializers are
 * copied as they are, and nodes and value types are rewritten by widenGraph.ts. Names, ranks and the order of
 * the graph's inputs and outputs do not change; only their element type does.
 */
import { join } from 'node:path';
import { throwIfCancelled } from '../../shared/errors';
import { externalFields } from './onnxBuild';
import type { InitializerPart } from './onnxParts';
import { encode, fieldKey, stringField, varintField } from './protobuf';
import { DataSink, SourceData, writeNewFile } from './quantizeIo';
import { FLOAT, FLOAT16 } from './quantizePlan';
import { tensorShape, type OnnxModelLayout } from './quantizeRead';
import { DATA_FILE, GRAPH_FILE, type WriteOptions, type WrittenFile } from './quantizeWrite';
import { splitHalfTensor, widenGraphFields, widenHalfBytes, widenNode } from './widenGraph';

const breathe = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** One initializer written to `sink` (its data) and returned as its new TensorProto. */
async function widenInitializer(part: InitializerPart, source: SourceData, sink: DataSink): Promise<Uint8Array> {
  const named = [...part.fields, stringField(8, part.name)];
  const half = tensorShape(part).dataType === FLOAT16;
  if (!half) {
    if (!part.data) return encode(named);
    const offset = sink.offset;
    await source.stream(part.data, (chunk) => sink.write(chunk));
    return encode([...named, ...externalFields(DATA_FILE, offset, part.data.length)]);
  }
  const { rest, floats } = splitHalfTensor(part.fields);
  const tensor = [...rest, varintField(2, FLOAT), stringField(8, part.name)];
  if (!part.data) {
    // small fp16 data held inline (raw_data or int32_data), or none at all (an empty tensor)
    return encode(floats ? [...tensor, { key: fieldKey(9, 2), value: floats }] : tensor);
  }
  if (part.data.length % 2 !== 0) throw new Error(`weight ${part.name} holds an odd number of float16 bytes`);
  const offset = sink.offset;
  await source.stream(part.data, async (chunk) => {
    await sink.write(widenHalfBytes(chunk));
    await breathe();
  });
  return encode([...tensor, ...externalFields(DATA_FILE, offset, part.data.length * 2)]);
}

function modelBytes(layout: OnnxModelLayout, initializers: readonly Uint8Array[]): Uint8Array {
  const graph = encode([
    ...layout.nodes.map((node) => ({ key: fieldKey(1, 2), value: widenNode(node).bytes })),
    ...widenGraphFields(layout).fields,
    ...initializers.map((value) => ({ key: fieldKey(5, 2), value })),
  ]);
  return encode([...layout.modelFields, { key: fieldKey(7, 2), value: graph }]);
}

/**
 * Writes `model.onnx` and `model.onnx_data` of the widened graph into `outDir` (which must not hold them yet), one
 * initializer at a time. On failure the files written so far stay for the caller to remove with the folder.
 */
export async function writeWidened(
  layout: OnnxModelLayout,
  outDir: string,
  options: WriteOptions = {},
): Promise<WrittenFile[]> {
  const source = new SourceData();
  const sink = await DataSink.create(join(outDir, DATA_FILE));
  const initializers: Uint8Array[] = [];
  let data;
  try {
    for (const part of layout.initializers) {
      throwIfCancelled(options.signal);
      initializers.push(await widenInitializer(part, source, sink));
      options.onBytes?.(part.data?.length ?? 0);
    }
    data = await sink.finish();
  } catch (error) {
    await sink.abandon();
    throw error;
  } finally {
    await source.close();
  }
  const graph = await writeNewFile(join(outDir, GRAPH_FILE), modelBytes(layout, initializers));
  return [
    { path: GRAPH_FILE, ...graph },
    { path: DATA_FILE, ...data },
  ];
}
