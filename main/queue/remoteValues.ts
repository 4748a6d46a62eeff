import { IirError } from '../../shared/errors';
import type { EditValue } from '../engine/process/editTask';
import type { SegmentValue } from '../engine/process/segmentTask';

const damaged = (what: string): IirError => new IirError('io_error', `a worker's ${what} arrived damaged`);

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null;

/** True for a `{ width, height, data }` image whose data holds `channels` bytes per pixel. */
function isPlane(value: unknown, channels: number): boolean {
  if (!isRecord(value)) return false;
  const { width, height, data } = value;
  return (
    typeof width === 'number' &&
    typeof height === 'number' &&
    data instanceof Uint8Array &&
    data.length === width * height * channels
  );
}

/** An edit's value as it came out of Redis, checked to be one before the app stores its pixels. */
export function checkEditValue(value: unknown): EditValue {
  if (!isRecord(value) || value.kind !== 'edit' || !Array.isArray(value.results) || value.results.length === 0)
    throw damaged('edit');
  for (const result of value.results as unknown[]) {
    if (!isRecord(result) || !isPlane(result.rgb, 3) || !(result.alpha === null || isPlane(result.alpha, 1)))
      throw damaged('edited image');
    if (typeof result.seed !== 'number' || !isRecord(result.metadata) || !isRecord(result.stored))
      throw damaged('edit recipe');
    if (!isRecord(result.recipe)) throw damaged('edit recipe');
  }
  if (typeof value.provider !== 'string') throw damaged('edit');
  return value as unknown as EditValue;
}

/** A search's value as it came out of Redis, checked the same way. */
export function checkSegmentValue(value: unknown): SegmentValue {
  if (!isRecord(value) || value.kind !== 'segment' || !isPlane(value.mask, 1) || !Array.isArray(value.instances))
    throw damaged('region');
  return value as unknown as SegmentValue;
}
