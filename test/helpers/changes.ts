import { decodeImage } from '../../main/image/decode';
import type { Rect } from '../../shared/image/types';

/**
 * Pixels of `output` that differ from `input` inside `rect`, and beyond `margin` px around it (where an edit of
 * `rect`, grown and feathered by at most `margin`, must leave every byte as it was). Both decoded by the app's reader.
 */
export async function changesAround(
  input: string,
  output: string,
  rect: Rect,
  margin: number,
): Promise<{ inside: number; outside: number }> {
  const a = await decodeImage(input);
  const b = await decodeImage(output);
  let inside = 0;
  let outside = 0;
  for (let p = 0; p < a.width * a.height; p++) {
    const i = p * 3;
    const same =
      a.rgb.data[i] === b.rgb.data[i] &&
      a.rgb.data[i + 1] === b.rgb.data[i + 1] &&
      a.rgb.data[i + 2] === b.rgb.data[i + 2];
    if (same) continue;
    const x = p % a.width;
    const y = Math.floor(p / a.width);
    if (x >= rect.x0 && x < rect.x1 && y >= rect.y0 && y < rect.y1) inside++;
    else if (x < rect.x0 - margin || x >= rect.x1 + margin || y < rect.y0 - margin || y >= rect.y1 + margin) outside++;
  }
  return { inside, outside };
}
