/**
 * Symmetric weight-only int8 quantization with one fp32 scale per output channel: `scale = max|w| / 127` over the
 * channel, `q = round(w / scale)` clamped to ±127 (so −128 is never used and the grid is symmetric about 0), and
 * `w ≈ q · scale` (what ONNX's DequantizeLinear computes with no zero point). A channel of zeros gets scale 1 and
 * all-zero codes. The output channel is axis 0 of a Conv weight [Cout, Cin/g, kh, kw] and axis 1 of a MatMul's
 * right-hand side [K, N].
 */

export interface QuantizedTensor {
  /** The int8 codes, in the tensor's own (row-major) order. */
  readonly codes: Int8Array;
  /** One scale per output channel. */
  readonly scales: Float32Array;
}

/** Which axis holds the output channels, and the tensor's dims. */
export interface QuantizeLayout {
  readonly dims: readonly number[];
  readonly axis: number;
}

/** Splits `dims` at `axis` into [outer, channels, inner] element counts. */
function split(dims: readonly number[], axis: number): [number, number, number] {
  const outer = dims.slice(0, axis).reduce((a, b) => a * b, 1);
  const inner = dims.slice(axis + 1).reduce((a, b) => a * b, 1);
  return [outer, dims[axis]!, inner];
}

/** Per-channel scales of `values` laid out as `layout` (fp32, as they are stored). */
export function channelScales(values: Float32Array, layout: QuantizeLayout): Float32Array {
  const [outer, channels, inner] = split(layout.dims, layout.axis);
  const peak = new Float64Array(channels);
  for (let o = 0; o < outer; o++) {
    for (let c = 0; c < channels; c++) {
      const base = (o * channels + c) * inner;
      let m = peak[c]!;
      for (let i = 0; i < inner; i++) {
        const v = Math.abs(values[base + i]!);
        if (v > m) m = v;
      }
      peak[c] = m;
    }
  }
  const scales = new Float32Array(channels);
  for (let c = 0; c < channels; c++) {
    const m = peak[c]!;
    if (!Number.isFinite(m)) throw new Error('a weight is not a finite number');
    scales[c] = m > 0 ? m / 127 : 1;
  }
  return scales;
}

/** Quantizes `values` (laid out as `layout`) to int8 codes with per-channel scales. */
export function quantizePerChannel(values: Float32Array, layout: QuantizeLayout): QuantizedTensor {
  const count = layout.dims.reduce((a, b) => a * b, 1);
  if (values.length !== count) throw new Error(`expected ${count} values, got ${values.length}`);
  const scales = channelScales(values, layout);
  const [outer, channels, inner] = split(layout.dims, layout.axis);
  const codes = new Int8Array(count);
  for (let o = 0; o < outer; o++) {
    for (let c = 0; c < channels; c++) {
      const base = (o * channels + c) * inner;
      const scale = scales[c]!;
      for (let i = 0; i < inner; i++) {
        const q = Math.round(values[base + i]! / scale);
        codes[base + i] = q > 127 ? 127 : q < -127 ? -127 : q;
      }
    }
  }
  return { codes, scales };
}
