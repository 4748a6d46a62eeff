import { execFileSync, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { encodeJpegKeepingBlocks, readJpeg } from '../../../../main/image/jpeg';
import { photo } from '../helpers';
import { appSegments, dir, djpeg, hasLibjpegTools, tool } from './helpers';

const hasExiftool = spawnSync('exiftool', ['-ver'], { stdio: 'ignore' }).error === undefined;
if (!hasExiftool)
  console.warn('JPEG metadata comparison by exiftool skipped: exiftool missing (apt-get install exiftool)');

const xmp =
  '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">' +
  '<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:creator><rdf:Seq>' +
  '<rdf:li>A. Photographer</rdf:li></rdf:Seq></dc:creator></rdf:Description></rdf:RDF></x:xmpmeta>';

/** A progressive Display P3 JPEG with EXIF, XMP and a comment, as a camera app or raw converter might write it. */
async function taggedJpeg(): Promise<Uint8Array> {
  const jpeg = await sharp(photo('chelsea'))
    .withIccProfile('p3')
    .withExif({ IFD0: { Make: 'TestCam', Model: 'M1', Copyright: 'A. Photographer' } })
    .withXmp(xmp)
    .jpeg({ quality: 88, progressive: true })
    .toBuffer();
  const comment = Buffer.from('shot for the block-keeping test', 'latin1');
  const com = Buffer.concat([Buffer.from([0xff, 0xfe, 0, comment.length + 2]), comment]);
  return new Uint8Array(Buffer.concat([jpeg.subarray(0, 2), com, jpeg.subarray(2)]));
}

function metadata(path: string): Record<string, unknown> {
  const [tags] = JSON.parse(
    execFileSync('exiftool', ['-j', '-G1', '-EXIF:all', '-XMP:all', '-ICC_Profile:all', '-Comment', path]).toString(),
  ) as [Record<string, unknown>];
  delete tags.SourceFile;
  return tags;
}

describe.skipIf(!hasLibjpegTools)('block-keeping writer and metadata', () => {
  it('keeps every APPn and COM segment (EXIF, ICC, XMP, comment) byte for byte, in order', async () => {
    const source = await taggedJpeg();
    const frame = readJpeg(source);
    expect(frame.progressive).toBe(true);
    const { width, height } = frame;
    const region = new Uint8Array(width * height);
    region.fill(1, (height >> 1) * width, ((height >> 1) + 3) * width);
    const composited = djpeg(source);
    const result = encodeJpegKeepingBlocks(source, composited, region);
    if ('fallback' in result) throw new Error(result.fallback);
    expect(result.mcusReencoded).toBe(frame.mcusX);

    const kept = appSegments(result.bytes);
    const original = appSegments(source);
    expect(original.map((s) => s[1]!.toString(16))).toEqual(expect.arrayContaining(['fe', 'e1', 'e2']));
    expect(kept.length).toBe(original.length);
    kept.forEach((segment, i) => expect(segment.equals(original[i]!)).toBe(true));

    const meta = await sharp(result.bytes).metadata();
    expect(meta.icc?.length).toBeGreaterThan(0);
    expect(meta.exif?.length).toBeGreaterThan(0);
    expect(meta.xmp?.toString()).toContain('A. Photographer');
    expect(tool('jpegtran', ['-copy', 'none'], result.bytes).length).toBeGreaterThan(0);
  });

  it.skipIf(!hasExiftool)('exiftool reads the same EXIF, XMP, ICC and comment from the output', async () => {
    const source = await taggedJpeg();
    const frame = readJpeg(source);
    const region = new Uint8Array(frame.width * frame.height).fill(1, 0, frame.width * 20);
    const result = encodeJpegKeepingBlocks(source, djpeg(source), region);
    if ('fallback' in result) throw new Error(result.fallback);
    writeFileSync(join(dir, 'tagged-source.jpg'), source);
    writeFileSync(join(dir, 'tagged-output.jpg'), result.bytes);
    const before = metadata(join(dir, 'tagged-source.jpg'));
    expect(before).toMatchObject({
      'IFD0:Make': 'TestCam',
      'XMP-dc:Creator': 'A. Photographer',
      'ICC_Profile:ProfileDescription': 'sP3C',
      'File:Comment': 'shot for the block-keeping test',
    });
    expect(metadata(join(dir, 'tagged-output.jpg'))).toEqual(before);
  });
});
