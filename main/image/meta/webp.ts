/** WebP metadata: the extended format (VP8X) with ICCP, EXIF and XMP chunks around the encoder's image chunks. */
import { concat, latin1Bytes, type OutputMetadata } from './output';

function chunk(fourcc: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(8 + data.length + (data.length % 2));
  out.set(latin1Bytes(fourcc), 0);
  new DataView(out.buffer).setUint32(4, data.length, true);
  out.set(data, 8);
  return out;
}

export function* riffChunks(webp: Uint8Array): Generator<{ fourcc: string; bytes: Uint8Array }> {
  const view = new DataView(webp.buffer, webp.byteOffset, webp.byteLength);
  let at = 12;
  while (at + 8 <= webp.length) {
    const size = view.getUint32(at + 4, true);
    const end = Math.min(webp.length, at + 8 + size + (size % 2));
    yield { fourcc: new TextDecoder('latin1').decode(webp.subarray(at, at + 4)), bytes: webp.subarray(at, end) };
    at = end;
  }
}

/** The WebP re-wrapped as VP8X with `meta`; `width`×`height` is the canvas. */
export function withWebpMetadata(
  webp: Uint8Array,
  meta: OutputMetadata,
  size: { width: number; height: number; hasAlpha: boolean },
): Uint8Array {
  const image: Uint8Array[] = [];
  for (const c of riffChunks(webp)) {
    if (c.fourcc !== 'VP8X' && c.fourcc !== 'ICCP' && c.fourcc !== 'EXIF' && c.fourcc !== 'XMP ') image.push(c.bytes);
  }
  const flags = (meta.icc ? 0x20 : 0) | (size.hasAlpha ? 0x10 : 0) | (meta.exif ? 0x08 : 0) | (meta.xmp ? 0x04 : 0);
  const vp8x = new Uint8Array(10);
  vp8x[0] = flags;
  const w = size.width - 1;
  const h = size.height - 1;
  vp8x.set([w & 0xff, (w >> 8) & 0xff, (w >> 16) & 0xff, h & 0xff, (h >> 8) & 0xff, (h >> 16) & 0xff], 4);
  const body = concat([
    latin1Bytes('WEBP'),
    chunk('VP8X', vp8x),
    ...(meta.icc ? [chunk('ICCP', meta.icc)] : []),
    ...image,
    ...(meta.exif ? [chunk('EXIF', meta.exif)] : []),
    ...(meta.xmp ? [chunk('XMP ', new TextEncoder().encode(meta.xmp))] : []),
  ]);
  const header = new Uint8Array(8);
  header.set(latin1Bytes('RIFF'), 0);
  new DataView(header.buffer).setUint32(4, body.length, true);
  return concat([header, body]);
}
