import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { estimateJpegQuality } from '../../../main/image/jpegQuality';
import { removeGpsInPlace } from '../../../main/image/meta/exif';
import { readTiffTree, toLittleEndian, writeExifBlock, type TiffEntry } from '../../../main/image/meta/tiffTags';
import { mergeXmp } from '../../../main/image/meta/xmp';
import { parseXmp } from '../../../main/image/xmpText';
import { photo } from './helpers';

const ascii = (text: string): Uint8Array => new TextEncoder().encode(text);

/** A big-endian EXIF block: Make, Orientation (SHORT), an EXIF IFD with a maker note and a rational, and GPS. */
function bigEndianExif(): Uint8Array {
  const be = (tag: number, type: number, count: number, bytes: number[]): TiffEntry => ({
    tag,
    type,
    count,
    value: Uint8Array.from(bytes),
  });
  const exifIfd: TiffEntry[] = [
    be(0x829a, 5, 1, [0, 0, 0, 1, 0, 0, 0, 100]), // ExposureTime 1/100
    { tag: 0x927c, type: 7, count: 12, value: ascii('MAKERNOTE!!!') },
  ];
  const gps: TiffEntry[] = [{ tag: 1, type: 2, count: 2, value: ascii('N\0') }];
  return writeExifBlock({
    littleEndian: false,
    ifd0: [
      { tag: 0x010f, type: 2, count: 6, value: ascii('Canon\0') },
      be(0x0112, 3, 1, [0, 6, 0, 0]),
      { ...be(0x8769, 4, 1, [0, 0, 0, 0]), sub: exifIfd },
      { ...be(0x8825, 4, 1, [0, 0, 0, 0]), sub: gps },
    ],
  });
}

describe('metadata', () => {
  it('adds the recipe to the photographer\u2019s XMP without touching it, and replaces an earlier recipe', () => {
    const theirs =
      '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">' +
      '<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:creator>Ann</dc:creator>' +
      '</rdf:Description></rdf:RDF></x:xmpmeta>';
    const first = mergeXmp(theirs, { recipe: 'one' }, false)!;
    expect(first).toContain('<dc:creator>Ann</dc:creator>');
    const second = mergeXmp(first, { recipe: 'two & more' }, false)!;
    expect(parseXmp(second)).toEqual({ recipe: 'two & more' });
    expect(second.match(/xmlns:iir=/g)).toHaveLength(1);
    expect(second.replace(/<rdf:Description[^>]*xmlns:iir[\s\S]*?<\/rdf:Description>/, '')).toBe(theirs);
  });

  it('removes GPS from EXIF in place, keeping every other byte that matters (maker notes included)', () => {
    const exif = bigEndianExif();
    const without = removeGpsInPlace(exif);
    expect(without.length).toBe(exif.length);
    const tree = readTiffTree(without)!;
    expect(tree.ifd0.map((e) => e.tag)).toEqual([0x010f, 0x0112, 0x8769]);
    const makerNote = tree.ifd0.find((e) => e.tag === 0x8769)!.sub!.find((e) => e.tag === 0x927c)!;
    expect(new TextDecoder().decode(makerNote.value)).toBe('MAKERNOTE!!!');
    expect(Buffer.from(without).includes(Buffer.from('N\0'))).toBe(false);
  });

  it('swaps big-endian EXIF values by field type for the little-endian TIFF writer', async () => {
    const tree = toLittleEndian(readTiffTree(bigEndianExif())!);
    const jpeg = await sharp({ create: { width: 4, height: 4, channels: 3, background: '#000' } })
      .jpeg()
      .toBuffer();
    const block = writeExifBlock(tree);
    const withExif = Buffer.concat([
      jpeg.subarray(0, 2),
      Buffer.from([0xff, 0xe1, (block.length + 8) >> 8, (block.length + 8) & 0xff]),
      Buffer.from('Exif\0\0'),
      block,
      jpeg.subarray(2),
    ]);
    const meta = await sharp(withExif).metadata();
    expect(meta.orientation).toBe(6);
    expect(readTiffTree(block)?.littleEndian).toBe(true);
  });

  it('estimates the IJG quality of a JPEG from its luminance table', async () => {
    for (const quality of [40, 75, 92]) {
      const jpeg = await sharp(photo('coffee')).jpeg({ quality }).toBuffer();
      expect(estimateJpegQuality(jpeg)).toBe(quality);
    }
  });
});
