import { join } from 'node:path';
import ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { float16ToFloat32 } from '../../../main/engine/float16';
import {
  FloatInput,
  ScalarInput,
  filledTensor,
  guidanceEmbedding,
  idsTensor,
  perBatchDims,
  readFloat,
  requireInput,
  type TensorSpec,
} from '../../../main/engine/tensors';
import { OnnxGraph, writeOnnxModel } from '../../fixtures/models/onnx';
import { cacheDir } from '../../setup/global';

/** y = x·2 + t in float16 IO, with an int64 0-d timestep: exercises fp16 conversion and scalar adaptation. */
function writeGraph(path: string): void {
  const g = new OnnxGraph('adapt');
  const x = g.input('x', 'float16', ['batch', 4]);
  const t = g.input('t', 'int64', []);
  const x32 = g.cast(x, 'float', 'float16');
  const t32 = g.cast(t, 'float', 'int64');
  const y = g.op('Add', [g.op('Mul', [x32, g.scalar(2)]), t32]);
  g.output(g.cast(y, 'float16', 'float'), 'y', 'float16', ['batch', 4]);
  writeOnnxModel(path, g);
}

let session: ort.InferenceSession;

beforeAll(async () => {
  const path = join(cacheDir, 'tensors-adapt', 'model.onnx');
  writeGraph(path);
  session = await ort.InferenceSession.create(path);
});

afterAll(async () => {
  await session.release();
});

describe('tensor adaptation from session metadata', () => {
  it('feeds float16 inputs from float32 values and reads float16 outputs back as float32', async () => {
    const xSpec = requireInput(session, 'x', 'adapter');
    expect(xSpec.type).toBe('float16');
    const x = new FloatInput(xSpec, [2, 4], 'adapter');
    x.values.set([0, 0.5, 1, -1, 2, 3, -0.25, 100]);
    const t = new ScalarInput(requireInput(session, 't', 'adapter'), 2);
    expect(t.tensor.dims).toEqual([]);
    const out = await session.run({ x: x.sync(), t: t.set(3) });
    expect([...readFloat(out.y, 'y')]).toEqual([3, 4, 5, 1, 7, 9, 2.5, 203]);
    // the same tensors are reused: new values, no reallocation
    x.values.fill(1);
    const again = await session.run({ x: x.sync(), t: t.set(10) });
    expect([...readFloat(again.y, 'y')]).toEqual(new Array<number>(8).fill(12));
  });

  it('names the missing input and lists what the model takes', () => {
    expect(() => requireInput(session, 'sample', 'UNet')).toThrow(/UNet has no input "sample" \(it takes x, t\)/);
  });

  it('shapes a per-batch scalar as 0-d, [1] or [B] as declared', () => {
    const spec = (shape: (number | string)[]): TensorSpec => ({ name: 'timestep', type: 'float32', shape });
    expect(perBatchDims(spec([]), 2)).toEqual([]);
    expect(perBatchDims(spec([1]), 2)).toEqual([1]);
    expect(perBatchDims(spec(['batch']), 2)).toEqual([2]);
  });

  it('creates double, float16 and int64 scalars and int32/int64 ids', () => {
    const f64 = filledTensor({ name: 'conditioning_scale', type: 'float64', shape: [1] }, 0.75, [1]);
    expect(f64.data).toEqual(Float64Array.from([0.75]));
    const f16 = filledTensor({ name: 't', type: 'float16', shape: [] }, 999, []);
    expect(float16ToFloat32(f16.data as Uint16Array)[0]).toBe(999);
    const i64 = new ScalarInput({ name: 't', type: 'int64', shape: ['b'] }, 2).set(759.6);
    expect(i64.data).toEqual(BigInt64Array.from([760n, 760n]));
    expect(idsTensor({ name: 'input_ids', type: 'int32', shape: [1, 77] }, [49406, 1], [1, 2]).data).toEqual(
      Int32Array.from([49406, 1]),
    );
    expect(idsTensor({ name: 'input_ids', type: 'int64', shape: [1, 77] }, [49406, 1], [1, 2]).data).toEqual(
      BigInt64Array.from([49406n, 1n]),
    );
  });
});

describe('LCM guidance embedding', () => {
  it('matches diffusers get_guidance_scale_embedding', () => {
    const e = guidanceEmbedding(8.5, 256, 2);
    expect(e.length).toBe(512);
    const w = 7.5 * 1000;
    const f = (k: number): number => Math.exp((-k * Math.log(10000)) / 127);
    expect(e[0]).toBeCloseTo(Math.sin(w), 5);
    expect(e[5]).toBeCloseTo(Math.sin(w * f(5)), 5);
    expect(e[128 + 5]).toBeCloseTo(Math.cos(w * f(5)), 5);
    expect(e[127]).toBeCloseTo(Math.sin(w * 1e-4), 6);
    expect(e.subarray(256)).toEqual(e.subarray(0, 256));
    const unguided = guidanceEmbedding(1, 256, 1);
    expect(unguided[3]).toBe(0);
    expect(unguided[128 + 3]).toBe(1);
  });
});
