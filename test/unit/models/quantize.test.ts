/**
 * The int8 quantizer on a small random model (Conv + MatMul, one all-zero channel): per-channel scales and codes,
 * the same outputs as the fp32 model within the quantization error, numpy as an independent oracle of the scales,
 * the refusals made before anything is written, and no half-written variant when a write fails or is cancelled.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import type * as fsPromises from 'node:fs/promises';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { makeInt8Variant } from '../../../main/models/quantizeModel';
import { quantizePerChannel, quantizePerChannelAsync } from '../../../main/models/quantizeTensor';
import { OnnxGraph, writeOnnxModel, type ElemType } from '../../fixtures/models/onnx';
import { writeFixtureReceipt } from '../../fixtures/models/receipt';
import { cacheDir } from '../../setup/global';

const io = vi.hoisted(() => ({ failDataWrites: false, freeBytes: null as number | null }));

vi.mock('node:fs/promises', async (original) => {
  const fs = await original<typeof fsPromises>();
  return {
    ...fs,
    statfs: async (path: string) =>
      io.freeBytes === null ? fs.statfs(path) : { ...(await fs.statfs(path)), bavail: io.freeBytes, bsize: 1 },
    open: async (...args: Parameters<typeof fs.open>) => {
      const handle = await fs.open(...args);
      if (!io.failDataWrites || !String(args[0]).endsWith('model.onnx_data')) return handle;
      let writes = 0;
      return new Proxy(handle, {
        get(target, key) {
          if (key === 'write' && ++writes > 1) {
            return () => Promise.reject(Object.assign(new Error('no space'), { code: 'ENOSPC' }));
          }
          const value = Reflect.get(target, key) as unknown;
          return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
        },
      });
    },
  };
});

function seeded(count: number, seed: number): number[] {
  let s = seed;
  return Array.from({ length: count }, () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s / 2147483648 - 0.5;
  });
}

/** x [B,4,H,W] → Conv(8×4×3×3, channel 5 all zero) → MatMul on the last axis by [W=6, 5] → y. */
function smallModel(weightType: ElemType = 'float'): OnnxGraph {
  const g = new OnnxGraph('small');
  const x = g.input('x', 'float', ['batch', 4, 'height', 6]);
  const conv = seeded(8 * 4 * 9, 7).map((v, i) => (Math.floor(i / 36) === 5 ? 0 : v));
  const w = g.initializer('conv_w', weightType, [8, 4, 3, 3], conv);
  const c = g.op('Conv', [weightType === 'float' ? x : g.cast(x, weightType), w], { pads: [1, 1, 1, 1] });
  const m = g.op('MatMul', [c, g.initializer('mm_w', weightType, [6, 5], seeded(30, 11))]);
  g.output(weightType === 'float' ? m : g.cast(m, 'float', weightType), 'y', 'float', ['batch', 8, 'height', 5]);
  return g;
}

let models: string;

function install(id: string, graph: OnnxGraph): void {
  writeOnnxModel(join(models, id, 'model.onnx'), graph, { externalData: 'model.onnx_data', externalMinBytes: 64 });
  writeFixtureReceipt(join(models, id), id, `Small ${id}`, 'controlnet-canny');
}

async function run(file: string, x: Float32Array): Promise<Float32Array> {
  const session = await ort.InferenceSession.create(file, { executionProviders: ['cpu'] });
  const out = await session.run({ x: new ort.Tensor('float32', x, [1, 4, 5, 6]) });
  await session.release();
  return out.y!.data as Float32Array;
}

beforeEach(async () => {
  models = await mkdtemp(join(cacheDir, 'quantize-unit-'));
  io.failDataWrites = false;
  io.freeBytes = null;
});

afterEach(() => rm(models, { recursive: true, force: true }));

describe('quantizePerChannel', () => {
  it('scales each output channel by its largest magnitude / 127, codes within ±127, zero channels exact', () => {
    // [K=2, N=3], output channels on axis 1
    const w = Float32Array.from([1.1, -0.5, 0, -2, 0.3, 0]);
    const { codes, scales } = quantizePerChannel(w, { dims: [2, 3], axis: 1 });
    expect([...scales]).toEqual([Math.fround(2 / 127), Math.fround(0.5 / 127), 1]);
    expect([...codes]).toEqual([70, -127, 0, -127, 76, 0]);
  });

  it('gives the same result in slices (the app yields to its event loop between them)', async () => {
    for (const layout of [
      { dims: [3000, 700], axis: 1 }, // MatMul [K, N]: 2.1 M values, channels spread over every row
      { dims: [40, 16, 3, 3], axis: 0 },
    ]) {
      const values = Float32Array.from(
        seeded(
          layout.dims.reduce((a, b) => a * b, 1),
          5,
        ),
      );
      const whole = quantizePerChannel(values, layout);
      const sliced = await quantizePerChannelAsync(values, layout);
      expect(sliced.scales).toEqual(whole.scales);
      expect(sliced.codes).toEqual(whole.codes);
    }
  });
});

describe('makeInt8Variant', () => {
  it('gives the fp32 outputs within the quantization error, through a Conv and a MatMul', async () => {
    install('small', smallModel());
    const { params } = await makeInt8Variant({ modelsDir: models, id: 'small' });
    expect(params).toBe(8 * 4 * 9 + 30);
    const x = Float32Array.from(seeded(120, 3));
    const fp32 = await run(join(models, 'small', 'model.onnx'), x);
    const int8 = await run(join(models, 'small-int8', 'model.onnx'), x);
    let max = 0;
    for (let i = 0; i < fp32.length; i++) max = Math.max(max, Math.abs(fp32[i]! - int8[i]!));
    const peak = fp32.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
    expect(max).toBeGreaterThan(0);
    // each weight moves by at most 0.4 % of its channel's peak; the outputs by about as much of theirs
    expect(max).toBeLessThan(peak * 0.02);
  });

  it('writes the scales numpy computes from the source weights (oracle)', async (context) => {
    const python = '/usr/bin/python3';
    if (spawnSync(python, ['-c', 'import numpy, onnx']).status !== 0) {
      context.skip('needs /usr/bin/python3 with numpy and onnx (Debian: python3-onnx)');
    }
    install('small', smallModel());
    await makeInt8Variant({ modelsDir: models, id: 'small' });
    const script = join(models, 'oracle.py');
    await writeFile(script, ORACLE);
    const out = execFileSync(python, [script, join(models, 'small'), join(models, 'small-int8')], { encoding: 'utf8' });
    expect(JSON.parse(out)).toEqual({ checked: ['conv_w', 'mm_w'], problems: [] });
  });

  it('refuses float16 weights and a disk without room, before writing anything', async () => {
    install('half', smallModel('float16'));
    await expect(makeInt8Variant({ modelsDir: models, id: 'half' })).rejects.toThrow(
      'half has float16 weights; make its fp32 variant first (models widen half)',
    );
    install('small', smallModel());
    io.freeBytes = 1000;
    await expect(makeInt8Variant({ modelsDir: models, id: 'small' })).rejects.toThrow(
      /^not enough free space in .* for small-int8: it needs .*, 1 kB is free$/,
    );
    expect((await readdir(models)).sort()).toEqual(['half', 'small']);
  });

  it('leaves no variant and no half-written folder when a write fails or the user cancels', async () => {
    install('small', smallModel());
    io.failDataWrites = true;
    await expect(makeInt8Variant({ modelsDir: models, id: 'small' })).rejects.toThrow(
      'the disk filled up while writing small-int8; nothing was installed',
    );
    expect(await readdir(models)).toEqual(['small']);
    io.failDataWrites = false;
    const controller = new AbortController();
    const cancelled = makeInt8Variant({
      modelsDir: models,
      id: 'small',
      signal: controller.signal,
      onProgress: (p) => p.bytesDone > 0 && controller.abort(),
    });
    await expect(cancelled).rejects.toMatchObject({ code: 'cancelled' });
    expect(await readdir(models)).toEqual(['small']);
  });
});

/** For each DequantizeLinear of the int8 graph: scale = max|w| / 127 along the other axes, codes = round(w / s). */
const ORACLE = String.raw`
import json, sys, os
import numpy as np, onnx
from onnx import numpy_helper
src = onnx.load(os.path.join(sys.argv[1], 'model.onnx'))
dst = onnx.load(os.path.join(sys.argv[2], 'model.onnx'))
weights = {t.name: numpy_helper.to_array(t) for t in src.graph.initializer}
inits = {t.name: numpy_helper.to_array(t) for t in dst.graph.initializer}
producers = {o: n for n in dst.graph.node for o in n.output}
checked, problems = [], []
for n in dst.graph.node:
    if n.op_type != 'DequantizeLinear':
        continue
    w = weights[n.output[0]].astype(np.float64)
    axis = [a.i for a in n.attribute if a.name == 'axis'][0]
    codes = inits[n.input[0]]
    scale_name = n.input[1]
    while scale_name not in inits:  # a Conv's scale passes through "+ 0"
        scale_name = [i for i in producers[scale_name].input if i in inits or i in producers][0]
    scales = inits[scale_name].astype(np.float64)
    other = tuple(i for i in range(w.ndim) if i != axis)
    peak = np.abs(w).max(axis=other)
    expected = np.where(peak > 0, peak / 127, 1).astype(np.float32)
    if codes.dtype != np.int8: problems.append(n.output[0] + ': codes are ' + str(codes.dtype))
    if not np.allclose(scales, expected, rtol=1e-6, atol=0): problems.append(n.output[0] + ': scales differ')
    shape = [1] * w.ndim; shape[axis] = -1
    s = scales.reshape(shape)
    if np.any(np.abs(codes * s - w) > s / 2 * (1 + 1e-5)): problems.append(n.output[0] + ': codes off')
    if not np.array_equal(codes, np.clip(np.round(w / s), -127, 127)): problems.append(n.output[0] + ': rounding')
    checked.append(n.output[0])
print(json.dumps({'checked': sorted(checked), 'problems': problems}))
`;
