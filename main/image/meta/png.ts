/** PNG metadata: iCCP (the profile byte for byte once inflated), eXIf, XMP in iTXt, IPTC as ImageMagick's raw profile. */
import { deflateSync } from 'node:zlib';
import { addPngText, chunks, pngChunk } from '../pngText';
import { concat, latin1Bytes, type OutputMetadata } from './output';

/** Chunks the encoder may write that describe colour or metadata; the export writes its own. */
const replaced = new Set(['iCCP', 'sRGB', 'gAMA', 'cHRM', 'eXIf', 'iTXt', 'tEXt', 'zTXt']);

/** ImageMagick's "Raw profile type iptc" text: name, length, then the bytes in hex, 36 per line. */
function rawProfileText(name: string, data: Uint8Array): string {
  const hex = Buffer.from(data).toString('hex');
  const lines = hex.match(/.{1,72}/g) ?? [];
  return `\n${name}\n${String(data.length).padStart(8)}\n${lines.join('\n')}\n`;
}

function metadataChunks(meta: OutputMetadata): Uint8Array[] {
  const out: Uint8Array[] = [];
  if (meta.icc) out.push(pngChunk('iCCP', concat([latin1Bytes('ICC profile\0\0'), deflateSync(meta.icc)])));
  if (meta.exif) out.push(pngChunk('eXIf', meta.exif));
  if (meta.xmp) {
    out.push(
      pngChunk('iTXt', concat([latin1Bytes('XML:com.adobe.xmp\0\0\0\0\0'), new TextEncoder().encode(meta.xmp)])),
    );
  }
  if (meta.iptc) {
    const text = rawProfileText('iptc', meta.iptc);
    out.push(pngChunk('zTXt', concat([latin1Bytes('Raw profile type iptc\0\0'), deflateSync(latin1Bytes(text))])));
  }
  return out;
}

/** The PNG with the encoder's colour/metadata chunks replaced by `meta` (right after IHDR) and its text. */
export function withPngMetadata(png: Uint8Array, meta: OutputMetadata): Uint8Array {
  const kept: Uint8Array[] = [png.subarray(0, 8)];
  for (const chunk of chunks(png)) {
    if (replaced.has(chunk.type)) continue;
    kept.push(png.subarray(chunk.start, chunk.start + 12 + chunk.data.length));
    if (chunk.type === 'IHDR') kept.push(...metadataChunks(meta));
  }
  return addPngText(concat(kept), meta.text);
}
