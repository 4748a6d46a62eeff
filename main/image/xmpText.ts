/**
 * Key → text pairs carried in XMP for JPEG and WebP. Each pair is one `rdf:li` of an `iir:text` bag in the
 * IIR Studio namespace; values are XML-escaped, so any string (JSON included) survives.
 */
const namespace = 'https://iir.studio/ns/text/1.0/';

function escapeXml(text: string): string {
  return text.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c] ?? c);
}

function unescapeXml(text: string): string {
  return text.replace(
    /&(amp|lt|gt|quot|apos|#(\d+)|#x([0-9a-fA-F]+));/g,
    (_, name: string, dec?: string, hex?: string) => {
      if (dec) return String.fromCodePoint(Number(dec));
      if (hex) return String.fromCodePoint(parseInt(hex, 16));
      return { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" }[name] ?? '';
    },
  );
}

/** An XMP packet holding `metadata`. */
export function buildXmp(metadata: Readonly<Record<string, string>>): string {
  const items = Object.entries(metadata)
    .map(
      ([key, value]) =>
        `<rdf:li rdf:parseType="Resource"><iir:key>${escapeXml(key)}</iir:key>` +
        `<iir:value>${escapeXml(value)}</iir:value></rdf:li>`,
    )
    .join('');
  return (
    '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">' +
    `<rdf:Description rdf:about="" xmlns:iir="${namespace}"><iir:text><rdf:Bag>${items}</rdf:Bag></iir:text>` +
    '</rdf:Description></rdf:RDF></x:xmpmeta>'
  );
}

/** The pairs {@link buildXmp} wrote; other XMP content is ignored. */
export function parseXmp(xmp: string): Record<string, string> {
  const text: Record<string, string> = {};
  const item = /<iir:key>([^<]*)<\/iir:key>\s*<iir:value>([^<]*)<\/iir:value>/g;
  for (const match of xmp.matchAll(item)) {
    text[unescapeXml(match[1] ?? '')] = unescapeXml(match[2] ?? '');
  }
  return text;
}
