/**
 * The photographer's XMP with the edit recipe added in IIR Studio's own namespace: their properties are kept as
 * written; a recipe from an earlier edit is replaced; "Remove location" drops the exif:GPS properties.
 */
import { buildXmp } from '../xmpText';

const iirDescription =
  /<rdf:Description\b[^>]*xmlns:iir="https:\/\/iir\.studio\/ns\/text\/1\.0\/"[\s\S]*?<\/rdf:Description>/g;

/** Removes exif:GPS… properties, written as attributes or as elements. */
export function removeXmpGps(xmp: string): string {
  return xmp
    .replace(/\s+exif:GPS\w+="[^"]*"/g, '')
    .replace(/<exif:(GPS\w+)\b[^>]*\/>/g, '')
    .replace(/<exif:(GPS\w+)\b[^>]*>[\s\S]*?<\/exif:\1>/g, '');
}

/** `source` (or nothing) with `text` added as an `iir:text` description. */
export function mergeXmp(
  source: string | null,
  text: Readonly<Record<string, string>>,
  removeGps: boolean,
): string | null {
  const hasText = Object.keys(text).length > 0;
  if (source === null || !/<\/rdf:RDF>/.test(source)) return hasText ? buildXmp(text) : null;
  let xmp = source.replace(iirDescription, '');
  if (removeGps) xmp = removeXmpGps(xmp);
  if (!hasText) return xmp;
  const ours = /<rdf:Description\b[\s\S]*<\/rdf:Description>/.exec(buildXmp(text))![0];
  const at = xmp.lastIndexOf('</rdf:RDF>');
  return xmp.slice(0, at) + ours + xmp.slice(at);
}
