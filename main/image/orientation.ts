/**
 * EXIF orientation: the file stores pixels in one orientation and says (tag 1–8) how to turn them for display. The
 * app edits in display (oriented) coordinates and writes stored pixels, so it maps between the two.
 */

/** Maps an oriented (display) pixel to its index in the stored raster of `width`×`height` (stored size). */
export function storedIndexer(orientation: number, width: number, height: number): (x: number, y: number) => number {
  const W = width - 1;
  const H = height - 1;
  switch (orientation) {
    case 2:
      return (x, y) => y * width + (W - x);
    case 3:
      return (x, y) => (H - y) * width + (W - x);
    case 4:
      return (x, y) => (H - y) * width + x;
    case 5:
      return (x, y) => x * width + y;
    case 6:
      return (x, y) => (H - x) * width + y;
    case 7:
      return (x, y) => (H - x) * width + (W - y);
    case 8:
      return (x, y) => x * width + (W - y);
    default:
      return (x, y) => y * width + x;
  }
}
