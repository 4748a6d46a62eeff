import type { ImageId, ImageInfo } from '../../shared/api';
import type { EditValue } from '../engine/process/editTask';
import type { ImageStore } from './images';

/** Each variation as a `result` image that remembers its original, so export can write the file's own values. */
export function storeResults(
  images: ImageStore,
  value: Pick<EditValue, 'results'>,
  source: ImageInfo,
  originalBytes: Uint8Array,
): ImageId[] {
  return value.results.map(
    (result) =>
      images.addRgb('result', result.rgb, {
        alpha: result.alpha,
        name: source.name,
        metadata: result.metadata,
        ...(source.colour ? { colour: source.colour } : {}),
        edit: {
          image: result.stored.image,
          region: result.stored.region,
          recipe: result.recipe,
          sourceId: source.id,
          originalBytes,
          originalName: source.name,
        },
      }).id,
  );
}
