/**
 * Canny edge detection that reproduces OpenCV's `cv::Canny(gray, dst, low, high)` (aperture 3, L1 gradient) bit for
 * bit, and OpenCV's RGB→gray conversion. The control image a ControlNet was trained on came from OpenCV, so the
 * edges must be OpenCV's, not merely "a Canny".
 *
 * Correspondence with OpenCV 4.x `modules/imgproc/src/canny.cpp` (the non-IPP, non-OpenCL path):
 * - gradient: `Sobel(src, dx|dy, CV_16S, 1|0, 0|1, 3, 1, 0, BORDER_REPLICATE)`;
 * - magnitude: `|dx| + |dy|` (L1); magnitudes outside the image count as 0 for the suppression below;
 * - non-maximum suppression with the integer tangent trick: `TG22 = tan(22.5°)·2^15 = 13573`,
 *   `y = |dy| << 15`, horizontal when `y < |dx|·TG22`, vertical when `y > |dx|·TG22 + (|dx| << 16)`, else diagonal
 *   (direction by the sign of `dx ^ dy`). Neighbour comparisons keep OpenCV's asymmetry: `>` against the
 *   left / upper neighbour, `>=` against the right / lower one, `>` against both diagonal neighbours;
 * - thresholds: integer `floor(low)`, `floor(high)` (swapped when low > high); a local maximum with `mag > high` is a
 *   seed, one with `mag > low` a candidate, everything else is never an edge;
 * - hysteresis: 8-connected flood from the seeds through candidates (a stack, as OpenCV; the result does not depend
 *   on the visiting order);
 * - output: 255 on edges, 0 elsewhere.
 * The border of the work map is "never an edge", exactly like OpenCV's 1-pixel map border.
 */

import { invalidArgument } from '../errors';
import type { GrayImage, RgbImage } from './types';

/** Canny thresholds on the L1 gradient magnitude (OpenCV's `threshold1` / `threshold2`). */
export interface CannyOptions {
  /** Candidate threshold: a local maximum above it is an edge when connected to a strong one. Default 100. */
  readonly low?: number;
  /** Strong threshold: a local maximum above it is always an edge. Default 200. */
  readonly high?: number;
}

/** tan(22.5°) in Q15, as OpenCV's `TG22`. */
const TG22 = 13573;

/** Map values, as OpenCV's: 0 = may be an edge (candidate), 1 = never an edge, 2 = edge. */
const CANDIDATE = 0;
const NOT_EDGE = 1;
const EDGE = 2;

/**
 * 8-bit luma exactly as OpenCV's `cvtColor(src, dst, COLOR_RGB2GRAY)` (4.x): the fixed-point weights
 * `(R·9798 + G·19235 + B·3735 + 16384) >> 15` — 0.299, 0.587, 0.114 in Q15, rounded. (OpenCV 3's Q14 weights
 * 4899 / 9617 / 1868 differ by one level on ~0.05 % of photo pixels; OpenCV.js 4.5 matches Q15 on every pixel.)
 */
export function toGray(rgb: RgbImage): GrayImage {
  const { width, height, data } = rgb;
  const n = width * height;
  if (data.length !== n * 3) {
    throw invalidArgument(`RGB image data has ${data.length} bytes; ${width}×${height} needs ${n * 3}`);
  }
  const out = new Uint8Array(n);
  for (let i = 0, s = 0; i < n; i++, s += 3) {
    out[i] = (data[s]! * 9798 + data[s + 1]! * 19235 + data[s + 2]! * 3735 + 16384) >> 15;
  }
  return { width, height, data: out };
}

/**
 * OpenCV-identical Canny edges of an 8-bit gray image: 255 on edges, 0 elsewhere. Thresholds apply to the L1
 * magnitude of the 3×3 Sobel gradient (so 0…2040); defaults 100 / 200.
 */
export function canny(gray: GrayImage, options: CannyOptions = {}): GrayImage {
  const { width, height, data: src } = gray;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw invalidArgument(`image size ${width}×${height} is not a positive whole size`);
  }
  if (src.length !== width * height) {
    throw invalidArgument(`gray image data has ${src.length} bytes; ${width}×${height} needs ${width * height}`);
  }
  let lowThreshold = options.low ?? 100;
  let highThreshold = options.high ?? 200;
  if (!Number.isFinite(lowThreshold) || !Number.isFinite(highThreshold)) {
    throw invalidArgument(`Canny thresholds must be finite numbers (got ${lowThreshold}, ${highThreshold})`);
  }
  if (lowThreshold > highThreshold) [lowThreshold, highThreshold] = [highThreshold, lowThreshold];
  const low = Math.floor(lowThreshold);
  const high = Math.floor(highThreshold);

  const w = width;
  const h = height;
  const mapStep = w + 2;
  // Map with a 1-pixel border of NOT_EDGE; pixel (x, y) lives at (y + 1) * mapStep + x + 1.
  const map = new Uint8Array(mapStep * (h + 2));
  map.fill(NOT_EDGE, 0, mapStep);
  map.fill(NOT_EDGE, (h + 1) * mapStep);
  const stack: EdgeStack = { items: new Int32Array(Math.max(1024, (w * h) >> 5)), size: 0 };

  // Ring buffers of three rows (previous, actual, next). Magnitude rows keep a zero at index 0 and w + 1.
  let magP = new Int32Array(w + 2);
  let magA = new Int32Array(w + 2);
  let magN = new Int32Array(w + 2);
  let dxA = new Int16Array(w);
  let dyA = new Int16Array(w);
  let dxN = new Int16Array(w);
  let dyN = new Int16Array(w);

  gradientRow(src, w, h, 0, dxN, dyN, magN);
  for (let y = 0; y < h; y++) {
    const oldP = magP;
    magP = magA;
    magA = magN;
    magN = oldP;
    let t = dxA;
    dxA = dxN;
    dxN = t;
    t = dyA;
    dyA = dyN;
    dyN = t;
    if (y + 1 < h) gradientRow(src, w, h, y + 1, dxN, dyN, magN);
    else magN.fill(0);
    suppressRow(map, (y + 1) * mapStep + 1, w, low, high, magP, magA, magN, dxA, dyA, stack);
  }
  hysteresis(map, mapStep, stack);

  const out = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) {
    const rowBase = (y + 1) * mapStep + 1;
    const outBase = y * w;
    // EDGE (2) → 255, CANDIDATE (0) and NOT_EDGE (1) → 0, without a branch.
    for (let x = 0; x < w; x++) out[outBase + x] = (map[rowBase + x]! >> 1) * 255;
  }
  return { width: w, height: h, data: out };
}

/** A growable stack of map indices (OpenCV's `std::deque<uchar*>`). */
interface EdgeStack {
  items: Int32Array;
  size: number;
}

function push(stack: EdgeStack, index: number): void {
  if (stack.size === stack.items.length) {
    const grown = new Int32Array(stack.items.length * 2);
    grown.set(stack.items);
    stack.items = grown;
  }
  stack.items[stack.size++] = index;
}

/**
 * Sobel dx, dy (3×3, BORDER_REPLICATE) and the L1 magnitude of image row y; magnitude goes to `mag[x + 1]`.
 * Separable and rolling: the vertical [1 2 1] smooth and [-1 0 1] difference of columns x − 1, x, x + 1 stay in
 * locals, so each source pixel is read once per row.
 */
function gradientRow(
  src: Uint8Array,
  w: number,
  h: number,
  y: number,
  dxOut: Int16Array,
  dyOut: Int16Array,
  mag: Int32Array,
): void {
  const a = (y > 0 ? y - 1 : 0) * w;
  const b = y * w;
  const c = (y < h - 1 ? y + 1 : h - 1) * w;
  let smoothPrev = src[a]! + 2 * src[b]! + src[c]!;
  let diffPrev = src[c]! - src[a]!;
  let smoothCur = smoothPrev;
  let diffCur = diffPrev;
  const last = w - 1;
  // Interior columns (the clamp-free loop is markedly faster); column `last` replicates itself below.
  for (let x = 0; x < last; x++) {
    const top = src[a + x + 1]!;
    const bottom = src[c + x + 1]!;
    const smoothNext = top + 2 * src[b + x + 1]! + bottom;
    const diffNext = bottom - top;
    const dx = smoothNext - smoothPrev;
    const dy = diffPrev + 2 * diffCur + diffNext;
    dxOut[x] = dx;
    dyOut[x] = dy;
    mag[x + 1] = Math.abs(dx) + Math.abs(dy);
    smoothPrev = smoothCur;
    smoothCur = smoothNext;
    diffPrev = diffCur;
    diffCur = diffNext;
  }
  const dx = smoothCur - smoothPrev;
  const dy = diffPrev + 3 * diffCur;
  dxOut[last] = dx;
  dyOut[last] = dy;
  mag[last + 1] = Math.abs(dx) + Math.abs(dy);
}

/** Non-maximum suppression of one row into the map; strong local maxima are pushed as hysteresis seeds. */
function suppressRow(
  map: Uint8Array,
  rowBase: number,
  w: number,
  low: number,
  high: number,
  magP: Int32Array,
  magA: Int32Array,
  magN: Int32Array,
  dxA: Int16Array,
  dyA: Int16Array,
  stack: EdgeStack,
): void {
  for (let x = 0; x < w; x++) {
    const j = x + 1;
    const m = magA[j]!;
    if (m <= low) {
      map[rowBase + x] = NOT_EDGE;
      continue;
    }
    const xs = dxA[x]!;
    const ys = dyA[x]!;
    const ax = xs < 0 ? -xs : xs;
    const ay = (ys < 0 ? -ys : ys) << 15;
    const tg22x = ax * TG22;
    let isMax: boolean;
    if (ay < tg22x) {
      isMax = m > magA[j - 1]! && m >= magA[j + 1]!;
    } else if (ay > tg22x + (ax << 16)) {
      isMax = m > magP[j]! && m >= magN[j]!;
    } else {
      const s = (xs ^ ys) < 0 ? -1 : 1;
      isMax = m > magP[j - s]! && m > magN[j + s]!;
    }
    if (!isMax) map[rowBase + x] = NOT_EDGE;
    else if (m > high) {
      map[rowBase + x] = EDGE;
      push(stack, rowBase + x);
    } else map[rowBase + x] = CANDIDATE;
  }
  map[rowBase - 1] = NOT_EDGE;
  map[rowBase + w] = NOT_EDGE;
}

/** Grows edges from the seeds through 8-connected candidates. */
function hysteresis(map: Uint8Array, mapStep: number, stack: EdgeStack): void {
  const offsets = [-mapStep - 1, -mapStep, -mapStep + 1, -1, 1, mapStep - 1, mapStep, mapStep + 1];
  while (stack.size > 0) {
    const m = stack.items[--stack.size]!;
    for (let k = 0; k < 8; k++) {
      const n = m + offsets[k]!;
      if (map[n] === CANDIDATE) {
        map[n] = EDGE;
        push(stack, n);
      }
    }
  }
}
