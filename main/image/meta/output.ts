/** What an exported file carries besides its pixels. */
export interface OutputMetadata {
  /** ICC profile, embedded byte for byte. */
  readonly icc: Uint8Array | null;
  /** EXIF as TIFF-structured bytes (no "Exif\0\0"). */
  readonly exif: Uint8Array | null;
  /** The XMP packet (the photographer's, with the recipe merged in). */
  readonly xmp: string | null;
  /** IPTC-IIM records. */
  readonly iptc: Uint8Array | null;
  /** PNG text chunks (the recipe, as before); other formats carry it in XMP. */
  readonly text: Readonly<Record<string, string>>;
}

export function concat(parts: readonly Uint8Array[]): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

export const latin1Bytes = (text: string): Uint8Array => Uint8Array.from(text, (c) => c.charCodeAt(0) & 0xff);
