/**
 * Editing an EXIF block without re-laying it out, so maker notes (whose offsets often point into the block) stay
 * valid: "Remove location" unlinks the GPS directory from IFD0 and zeroes its bytes in place.
 */
import { gpsTag, typeSize } from './tiffTags';

/** A copy of the EXIF TIFF bytes without GPS data; the same bytes when there was none. */
export function removeGpsInPlace(exif: Uint8Array): Uint8Array {
  if (exif.length < 8) return exif;
  const le = exif[0] === 0x49;
  const out = exif.slice();
  const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
  const ifd0 = view.getUint32(4, le);
  if (ifd0 + 2 > out.length) return exif;
  const count = view.getUint16(ifd0, le);
  for (let i = 0; i < count; i++) {
    const at = ifd0 + 2 + i * 12;
    if (at + 12 > out.length || view.getUint16(at, le) !== gpsTag) continue;
    zeroIfd(out, view, view.getUint32(at + 8, le), le);
    // shift the following entries and the next-IFD offset up by one entry
    const end = Math.min(out.length, ifd0 + 2 + count * 12 + 4);
    out.copyWithin(at, at + 12, end);
    out.fill(0, end - 12, end);
    view.setUint16(ifd0, count - 1, le);
    return out;
  }
  return exif;
}

function zeroIfd(out: Uint8Array, view: DataView, offset: number, le: boolean): void {
  if (offset < 8 || offset + 2 > out.length) return;
  const count = view.getUint16(offset, le);
  for (let i = 0; i < count; i++) {
    const at = offset + 2 + i * 12;
    if (at + 12 > out.length) break;
    const size = typeSize(view.getUint16(at + 2, le)) * view.getUint32(at + 4, le);
    if (size > 4) {
      const valueAt = view.getUint32(at + 8, le);
      if (valueAt + size <= out.length) out.fill(0, valueAt, valueAt + size);
    }
  }
  out.fill(0, offset, Math.min(out.length, offset + 2 + count * 12 + 4));
}
