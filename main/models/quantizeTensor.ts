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

/** A tensor seen as rows: `outer × channels` rows of `inner` contiguous values, row r in channel r % channels. */
interface Rows {
  readonly count: number;
  readonly channels: number;
  readonly inner: number;
}

function rowsOf(values: Float32Array, layout: QuantizeLayout): Rows {
  const { dims, axis } = layout;
  const total = dims.reduce((a, b) => a * b, 1);
  if (values.length !== total) throw new Error(`expected ${total} values, got ${values.length}`);
  const outer = dims.slice(0, axis).reduce((a, b) => a * b, 1);
  const inner = dims.slice(axis + 1).reduce((a, b) => a * b, 1);
  return { count: outer * dims[axis]!, channels: dims[axis]!, inner };
}

/** Rows per slice, so one slice handles about a million values. */
const sliceRows = (rows: Rows): number => Math.max(1, Math.floor((1 << 20) / Math.max(1, rows.inner)));

function peakRows(values: Float32Array, rows: Rows, peak: Float64Array, from: number, to: number): void {
  for (let r = from; r < to; r++) {
    const c = r % rows.channels;
    const base = r * rows.inner;
    let m = peak[c]!;
    for (let i = 0; i < rows.inner; i++) {
      const v = Math.abs(values[base + i]!);
      if (v > m) m = v;
    }
    peak[c] = m;
  }
}

function scalesOf(peak: Float64Array): Float32Array {
  const scales = new Float32Array(peak.length);
  for (let c = 0; c < peak.length; c++) {
    const m = peak[c]!;
    if (!Number.isFinite(m)) throw new Error('a weight is not a finite number');
    scales[c] = m > 0 ? m / 127 : 1;
  }
  return scales;
}

function codeRows(values: Float32Array, rows: Rows, scales: Float32Array, codes: Int8Array, from: number, to: number) {
  for (let r = from; r < to; r++) {
    const scale = scales[r % rows.channels]!;
    const base = r * rows.inner;
    for (let i = 0; i < rows.inner; i++) {
      const q = Math.round(values[base + i]! / scale);
      codes[base + i] = q > 127 ? 127 : q < -127 ? -127 : q;
    }
  }
}

/** Per-channel scales of `values` laid out as `layout` (fp32, as they are stored). */
export function channelScales(values: Float32Array, layout: QuantizeLayout): Float32Array {
  const rows = rowsOf(values, layout);
  const peak = new Float64Array(rows.channels);
  peakRows(values, rows, peak, 0, rows.count);
  return scalesOf(peak);
}

/** Quantizes `values` (laid out as `layout`) to int8 codes with per-channel scales. */
export function quantizePerChannel(values: Float32Array, layout: QuantizeLayout): QuantizedTensor {
  const rows = rowsOf(values, layout);
  const scales = channelScales(values, layout);
  const codes = new Int8Array(values.length);
  codeRows(values, rows, scales, codes, 0, rows.count);
  return { codes, scales };
}

const breathe = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * {@link quantizePerChannel} in slices of about a million values, letting the event loop run between them: in the
 * app's main process a 30-million-value UNet weight must not freeze the window.
 */
export async function quantizePerChannelAsync(values: Float32Array, layout: QuantizeLayout): Promise<QuantizedTensor> {
  const rows = rowsOf(values, layout);
  const step = sliceRows(rows);
  const peak = new Float64Array(rows.channels);
  for (let r = 0; r < rows.count; r += step) {
    peakRows(values, rows, peak, r, Math.min(rows.count, r + step));
    await breathe();
  }
  const scales = scalesOf(peak);
  const codes = new Int8Array(values.length);
  for (let r = 0; r < rows.count; r += step) {
    codeRows(values, rows, scales, codes, r, Math.min(rows.count, r + step));
    await breathe();
  }
  return { codes, scales };
}
