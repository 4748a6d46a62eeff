/**
 * The metric formulas on model outputs, as PIE-Bench's metrics define them:
 * - CLIP score (torchmetrics `CLIPScore`): 100 · max(cos(image_embeds, text_embeds), 0);
 * - structure distance (Tumanyan et al., "Splicing ViT Features", used by PIE-Bench): the mean squared difference
 *   of the two images' token self-similarity matrices, each the cosine similarity of every pair of DINO ViT tokens
 *   (CLS included). PIE-Bench takes the last layer's attention keys; an export that outputs `keys` is used as is,
 *   otherwise the last layer's tokens (`last_hidden_state`), which public ONNX exports provide.
 */

/** Cosine similarity of two vectors (0 when either is 0). */
export function cosine(a: Float32Array, b: Float32Array): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i]! * b[i]!;
    na += a[i]! * a[i]!;
    nb += b[i]! * b[i]!;
  }
  return na === 0 || nb === 0 ? 0 : dot / Math.sqrt(na * nb);
}

/** torchmetrics' CLIPScore of one image and one text. */
export function clipScore(imageEmbeds: Float32Array, textEmbeds: Float32Array): number {
  return Math.max(100 * cosine(imageEmbeds, textEmbeds), 0);
}

/** Rows of [tokens, dim] scaled to unit length (float64). */
function unitRows(features: Float32Array, tokens: number, dim: number): Float64Array {
  const out = new Float64Array(tokens * dim);
  for (let t = 0; t < tokens; t++) {
    let norm = 0;
    for (let d = 0; d < dim; d++) norm += features[t * dim + d]! ** 2;
    const scale = norm === 0 ? 0 : 1 / Math.sqrt(norm);
    for (let d = 0; d < dim; d++) out[t * dim + d] = features[t * dim + d]! * scale;
  }
  return out;
}

/** Mean over all token pairs of (selfSim_a − selfSim_b)², both [tokens, dim] row-major. */
export function selfSimilarityMse(a: Float32Array, b: Float32Array, tokens: number, dim: number): number {
  const ua = unitRows(a, tokens, dim);
  const ub = unitRows(b, tokens, dim);
  let sum = 0;
  for (let i = 0; i < tokens; i++) {
    for (let j = 0; j < tokens; j++) {
      let sa = 0;
      let sb = 0;
      for (let d = 0; d < dim; d++) {
        sa += ua[i * dim + d]! * ua[j * dim + d]!;
        sb += ub[i * dim + d]! * ub[j * dim + d]!;
      }
      sum += (sa - sb) ** 2;
    }
  }
  return sum / (tokens * tokens);
}
