import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { imagePathsIn } from '../../../main/electron/launchArgs';
import { cacheDir } from '../../setup/global';

function folder(): string {
  const dir = mkdtempSync(join(cacheDir, 'launch-args-'));
  mkdirSync(join(dir, 'My Photos'));
  for (const name of ['a.png', 'My Photos/été 1.JPG', 'notes.txt']) writeFileSync(join(dir, name), 'x');
  mkdirSync(join(dir, 'folder.png'));
  return dir;
}

describe('imagePathsIn', () => {
  it('takes image paths after the executable (packaged) or after `electron .` (dev)', () => {
    const dir = folder();
    expect(imagePathsIn(['/opt/IIR Studio/iir-studio', 'a.png'], dir, true)).toEqual([join(dir, 'a.png')]);
    expect(imagePathsIn(['electron', '.', 'a.png'], dir, false)).toEqual([join(dir, 'a.png')]);
    expect(imagePathsIn(['electron', 'a.png'], dir, false)).toEqual([]);
  });

  it('accepts the file: URLs a Linux desktop passes for %U', () => {
    const dir = folder();
    const photo = join(dir, 'My Photos', 'été 1.JPG');
    const url = pathToFileURL(photo).href;
    expect(url).toContain('%20');
    expect(imagePathsIn(['iir-studio', url, `FILE://${url.slice('file://'.length)}`], '/', true)).toEqual([
      photo,
      photo,
    ]);
  });

  it('skips switches, other files, folders, missing files and non-local URLs', () => {
    const dir = folder();
    const argv = [
      'iir-studio',
      '--allow-file-access-from-files',
      '-psn_0_12345',
      'notes.txt',
      'folder.png',
      'missing.png',
      'https://example.com/a.png',
      'file://otherhost/share/a.png',
      'smb://server/a.png',
      'a.png',
    ];
    expect(imagePathsIn(argv, dir, true)).toEqual([join(dir, 'a.png')]);
  });
});
