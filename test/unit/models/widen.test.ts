/**
 * The fp16 → fp32 widener on a small fp16 graph (fp16 IO, fp16 Conv and MatMul weights in external data, an fp16
 * `Constant`, an fp16 `ConstantOfShape` and a `Cast(to=FLOAT16)`): the widened graph has no fp16 left, keeps its
 * IO names and ranks, gives the fp16 graph's outputs within fp16's rounding on the same input, can be quantized,
 * and every refusal is one line made before anything is written.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import type * as fsPromises from 'node:fs/promises';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { float32ToFloat16, float16ToFloat32 } from '../../../main/engine/float16';
import { readOnnxSignature } from '../../../main/models/onnxHeader';
import { makeInt8Variant } from '../../../main/models/quantizeModel';
import { readModelLayout } from '../../../main/models/quantizeRead';
import { readReceipt } from '../../../main/models/receipt';
import { fieldKey, varint, varintField } from '../../../main/models/protobuf';
import { halfCensus, splitHalfTensor } from '../../../main/models/widenGraph';
import { makeFp32Variant } from '../../../main/models/widenModel';
import { attr, OnnxGraph, writeOnnxModel, type ElemType } from '../../fixtures/models/onnx';
import { writeFixtureReceipt } from '../../fixtures/models/receipt';
import { cacheDir } from '../../setup/global';

const io = vi.hoisted(() => ({ freeBytes: null as number | null }));

vi.mock('node:fs/promises', async (original) => {
  const fs = await original<typeof fsPromises>();
  return {
    ...fs,
    statfs: async (path: string) =>
      io.freeBytes === null ? fs.statfs(path) : { ...(await fs.statfs(path)), bavail: io.freeBytes, bsize: 1 },
  };
});

function seeded(count: number, seed: number): number[] {
  let s = seed;
  return Array.from({ length: count }, () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s / 2147483648 - 0.5;
  });
}

/**
 * x [1,4,H,6] (t) → Conv(8×4×3×3) + Constant 0.25 + Cast(b → t) → × ConstantOfShape(0.5) → MatMul([6,5]) → y (t),
 * and y also as float32 `y32`. With t = float16 every weight and constant is fp16.
 */
function smallModel(t: ElemType): OnnxGraph {
  const g = new OnnxGraph('small');
  const x = g.input('x', t, ['batch', 4, 'height', 6]);
  const b = g.input('b', 'float', [1]);
  const w = g.initializer('conv_w', t, [8, 4, 3, 3], seeded(8 * 4 * 9, 7));
  const c = g.op('Conv', [x, w], { pads: [1, 1, 1, 1] });
  const k = g.op('Constant', [], { value: attr.tensor({ type: t, dims: [1], values: [0.25] }) });
  const shifted = g.op('Add', [g.op('Add', [c, k]), t === 'float' ? b : g.cast(b, t, 'float')]);
  const half = g.op('ConstantOfShape', [g.op('Shape', [shifted])], {
    value: attr.tensor({ type: t, dims: [1], values: [0.5] }),
  });
  const m = g.op('MatMul', [g.op('Mul', [shifted, half]), g.initializer('mm_w', t, [6, 5], seeded(30, 11))]);
  g.output(m, 'y', t, ['batch', 8, 'height', 5]);
  g.output(t === 'float' ? m : g.cast(m, 'float', t), 'y32', 'float', ['batch', 8, 'height', 5]);
  return g;
}

let models: string;

function install(id: string, graph: OnnxGraph): void {
  writeOnnxModel(join(models, id, 'model.onnx'), graph, { externalData: 'model.onnx_data', externalMinBytes: 64 });
  writeFixtureReceipt(join(models, id), id, `Small ${id}`, 'controlnet-canny');
}

/** x: values that float16 holds exactly, so both graphs see the same input. */
const input = float16ToFloat32(float32ToFloat16(Float32Array.from(seeded(120, 3))));

async function run(file: string, half: boolean): Promise<{ y: Float32Array; y32: Float32Array }> {
  const session = await ort.InferenceSession.create(file, { executionProviders: ['cpu'] });
  const x = half
    ? new ort.Tensor('float16', float32ToFloat16(input), [1, 4, 5, 6])
    : new ort.Tensor('float32', input, [1, 4, 5, 6]);
  const out = await session.run({ x, b: new ort.Tensor('float32', Float32Array.from([0.125]), [1]) });
  await session.release();
  const y = out.y!.type === 'float16' ? float16ToFloat32(out.y!.data as Uint16Array) : (out.y!.data as Float32Array);
  return { y, y32: out.y32!.data as Float32Array };
}

function maxDiff(a: Float32Array, b: Float32Array): number {
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i]! - b[i]!));
  return max;
}

const peakOf = (a: Float32Array): number => a.reduce((m, v) => Math.max(m, Math.abs(v)), 0);

beforeEach(async () => {
  models = await mkdtemp(join(cacheDir, 'widen-unit-'));
  io.freeBytes = null;
});

afterEach(() => rm(models, { recursive: true, force: true }));

describe('splitHalfTensor', () => {
  it('reads fp16 held as int32_data (packed or not) as well as raw_data, exactly', () => {
    const bits = [...float32ToFloat16(Float32Array.from([1.5, -0.25, 65504, 0]))];
    const packed = { key: fieldKey(5, 2), value: Uint8Array.from(bits.flatMap((b) => varint(b))) };
    const raw = { key: fieldKey(9, 2), value: new Uint8Array(Uint16Array.from(bits).buffer) };
    for (const data of [[packed], bits.map((b) => varintField(5, b)), [raw]]) {
      const { rest, floats } = splitHalfTensor([varintField(1, 4), varintField(2, 10), ...data]);
      expect(rest).toEqual([varintField(1, 4)]);
      expect([...new Float32Array(floats!.slice().buffer)]).toEqual([1.5, -0.25, 65504, 0]);
    }
  });
});

describe('makeFp32Variant', () => {
  it('writes a graph with no fp16 left, the same IO names and ranks, and the fp16 outputs within rounding', async () => {
    install('half', smallModel('float16'));
    const source = await readModelLayout(join(models, 'half', 'model.onnx'));
    expect(halfCensus(source).initializers).toBe(2);
    const { params, receipt } = await makeFp32Variant({ modelsDir: models, id: 'half' });
    expect(params).toBe(8 * 4 * 9 + 30);
    expect(receipt).toMatchObject({ id: 'half-fp32', role: 'controlnet-canny', source: { kind: 'derive' } });
    expect(receipt.derived).toMatchObject({ from: 'half', method: 'fp32-widen' });
    expect(await readReceipt(join(models, 'half-fp32'))).toEqual(receipt);

    const widened = join(models, 'half-fp32', 'model.onnx');
    expect(halfCensus(await readModelLayout(widened))).toEqual({ initializers: 0, params: 0, others: 0 });
    const before = await readOnnxSignature(join(models, 'half', 'model.onnx'));
    const after = await readOnnxSignature(widened);
    const shape = (s: typeof before) =>
      [...s.inputs, ...s.outputs].map((t) => ({ name: t.name, rank: t.shape?.length, type: t.type }));
    expect(shape(after)).toEqual(shape(before).map((t) => ({ ...t, type: t.type === 'float16' ? 'float32' : t.type })));

    const fp16 = await run(join(models, 'half', 'model.onnx'), true);
    const fp32 = await run(widened, false);
    const peak = peakOf(fp32.y);
    expect(peak).toBeGreaterThan(0.1);
    // fp16 rounds every intermediate to 11 significant bits: a few units of 2^-11 of the peak
    expect(maxDiff(fp16.y, fp32.y)).toBeLessThan(peak * 4e-3);
    expect(maxDiff(fp16.y32, fp32.y32)).toBeLessThan(peak * 4e-3);
    expect(fp32.y32).toEqual(fp32.y);
  });

  it('gives what the fp32 graph of the same (fp16-exact) weights gives', async () => {
    install('half', smallModel('float16'));
    const exact = smallModel('float');
    install('full', exact);
    // the fp32 model's weights are the fp16 model's values, so the widened graph must match it closely
    await makeFp32Variant({ modelsDir: models, id: 'half' });
    const reference = await run(join(models, 'full', 'model.onnx'), false);
    const widened = await run(join(models, 'half-fp32', 'model.onnx'), false);
    // the weights differ only by fp16's rounding of the seeded values (2^-12 relative)
    expect(maxDiff(reference.y, widened.y)).toBeLessThan(peakOf(reference.y) * 2e-3);
  });

  it('makes a variant that models quantize accepts (widen, then quantize)', async () => {
    install('half', smallModel('float16'));
    await expect(makeInt8Variant({ modelsDir: models, id: 'half' })).rejects.toThrow(/float16 weights/);
    await makeFp32Variant({ modelsDir: models, id: 'half' });
    const { params, receipt } = await makeInt8Variant({ modelsDir: models, id: 'half-fp32' });
    expect(params).toBe(8 * 4 * 9 + 30);
    expect(receipt.derived).toMatchObject({ from: 'half-fp32', method: 'int8-weight-only' });
    const fp32 = await run(join(models, 'half-fp32', 'model.onnx'), false);
    const int8 = await run(join(models, 'half-fp32-int8', 'model.onnx'), false);
    expect(maxDiff(fp32.y, int8.y)).toBeLessThan(peakOf(fp32.y) * 0.02);
    await expect(makeInt8Variant({ modelsDir: models, id: 'half-fp32-int8' })).rejects.toThrow(
      'half-fp32-int8 is already an int8 variant (made from half-fp32)',
    );
  });

  it('refuses, in one line and before writing anything: unknown, not fp16, already widened or installed, no room', async () => {
    install('half', smallModel('float16'));
    install('full', smallModel('float'));
    await expect(makeFp32Variant({ modelsDir: models, id: 'nope' })).rejects.toThrow(
      `model "nope" is not installed in ${models}`,
    );
    await expect(makeFp32Variant({ modelsDir: models, id: 'full' })).rejects.toThrow(
      'full has no float16 weights or values; it needs no fp32 variant',
    );
    io.freeBytes = 1000;
    await expect(makeFp32Variant({ modelsDir: models, id: 'half' })).rejects.toThrow(
      /^not enough free space in .* for half-fp32: it needs .*, 1 kB is free$/,
    );
    io.freeBytes = null;
    const cancelled = new AbortController();
    cancelled.abort();
    await expect(makeFp32Variant({ modelsDir: models, id: 'half', signal: cancelled.signal })).rejects.toThrow();
    expect((await readdir(models)).sort()).toEqual(['full', 'half']);

    await makeFp32Variant({ modelsDir: models, id: 'half' });
    await expect(makeFp32Variant({ modelsDir: models, id: 'half' })).rejects.toThrow(
      'half-fp32 is already installed; remove it first (models rm half-fp32)',
    );
    await expect(makeFp32Variant({ modelsDir: models, id: 'half-fp32' })).rejects.toThrow(
      'half-fp32 is already an fp32 variant (made from half)',
    );
    expect((await readdir(models)).sort()).toEqual(['full', 'half', 'half-fp32']);
  });

  it('writes what onnx and numpy read as the same graph in fp32: every weight exact, no float16 anywhere (oracle)', async (context) => {
    const python = '/usr/bin/python3';
    if (spawnSync(python, ['-c', 'import numpy, onnx']).status !== 0) {
      context.skip('needs /usr/bin/python3 with numpy and onnx (Debian: python3-onnx)');
    }
    install('half', smallModel('float16'));
    await makeFp32Variant({ modelsDir: models, id: 'half' });
    const script = join(models, 'oracle.py');
    await writeFile(script, ORACLE);
    const out = execFileSync(python, [script, join(models, 'half'), join(models, 'half-fp32')], { encoding: 'utf8' });
    expect(JSON.parse(out)).toEqual({ checked: ['conv_w', 'mm_w'], problems: [] });
  });

  it('leaves no variant and no staging folder when the user stops it while it writes', async () => {
    install('half', smallModel('float16'));
    const controller = new AbortController();
    const stopped = makeFp32Variant({
      modelsDir: models,
      id: 'half',
      signal: controller.signal,
      onProgress: (p) => p.bytesDone > 0 && controller.abort(),
    });
    await expect(stopped).rejects.toMatchObject({ code: 'cancelled' });
    expect(await readdir(models)).toEqual(['half']);
  });
});

/**
 * The widened graph passes onnx's full check (types inferred through every node), its weights are the source's
 * fp16 values as float32 exactly, and no element type, Cast target, dtype or constant is float16 any more.
 */
const ORACLE = String.raw`
import json, sys, os
import numpy as np, onnx
from onnx import numpy_helper, TensorProto
src = onnx.load(os.path.join(sys.argv[1], 'model.onnx'))
path = os.path.join(sys.argv[2], 'model.onnx')
dst = onnx.load(path)
onnx.checker.check_model(path, full_check=True)
problems, checked = [], []
weights = {t.name: numpy_helper.to_array(t) for t in src.graph.initializer}
for t in dst.graph.initializer:
    a = numpy_helper.to_array(t)
    if a.dtype != np.float32: problems.append(t.name + ': ' + str(a.dtype))
    if weights[t.name].dtype == np.float16:
        if not np.array_equal(a, weights[t.name].astype(np.float32)): problems.append(t.name + ': values differ')
        checked.append(t.name)
H = TensorProto.FLOAT16
for v in list(dst.graph.input) + list(dst.graph.output) + list(dst.graph.value_info):
    if v.type.tensor_type.elem_type == H: problems.append(v.name + ' is float16')
for n in dst.graph.node:
    for a in n.attribute:
        if a.name in ('to', 'dtype') and a.i == H: problems.append(n.name + ' makes float16')
        if a.type == onnx.AttributeProto.TENSOR and a.t.data_type == H: problems.append(n.name + ' holds float16')
if [n.op_type for n in dst.graph.node] != [n.op_type for n in src.graph.node]: problems.append('nodes differ')
print(json.dumps({'checked': sorted(checked), 'problems': problems}))
`;
