import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { crc32, readZip, writeZip } from '../../../main/projects/zip';

const python = '/usr/bin/python3';
const hasUnzip = spawnSync('unzip', ['-v']).status === 0;
const hasPython = existsSync(python);
if (!hasUnzip) console.warn('zip tests: unzip is missing (apt-get install unzip); its oracle test is skipped');
if (!hasPython) console.warn('zip tests: /usr/bin/python3 is missing; its oracle tests are skipped');
const entries = [
  { name: 'project.json', data: new TextEncoder().encode('{"schemaVersion":1}') },
  { name: 'original/café photo.jpg', data: Uint8Array.from({ length: 70_000 }, (_, i) => (i * 7919) & 255) },
  { name: 'results/empty.png', data: new Uint8Array(0) },
];

function tempFile(name: string, data: Uint8Array): string {
  const path = join(mkdtempSync(join(tmpdir(), 'iir-zip-')), name);
  writeFileSync(path, data);
  return path;
}

describe('stored zip archives for project files', () => {
  it('computes the standard CRC-32', () => {
    expect(crc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926);
    expect(crc32(new Uint8Array(0))).toBe(0);
  });

  // Oracles: Info-ZIP's unzip (apt-get install unzip) and Debian's Python; each test skips when its tool is absent.
  it.skipIf(!hasUnzip)('writes an archive unzip tests clean', () => {
    const path = tempFile('a.zip', writeZip(entries));
    const result = spawnSync('unzip', ['-t', path], { encoding: 'utf8' });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('No errors detected');
  });

  it.skipIf(!hasPython)('writes an archive Python’s zipfile reads byte for byte', () => {
    const path = tempFile('a.zip', writeZip(entries));
    const script = [
      'import sys, zipfile, hashlib, json',
      'z = zipfile.ZipFile(sys.argv[1])',
      'assert z.testzip() is None',
      'print(json.dumps({i.filename: [i.compress_type, hashlib.sha256(z.read(i)).hexdigest()] for i in z.infolist()}))',
    ].join('\n');
    const result = spawnSync(python, ['-c', script, path], { encoding: 'utf8' });
    expect(result.stderr).toBe('');
    const listed = JSON.parse(result.stdout) as Record<string, [number, string]>;
    const sha = (data: Uint8Array) => {
      const hashed = spawnSync(
        python,
        ['-c', 'import sys,hashlib;print(hashlib.sha256(sys.stdin.buffer.read()).hexdigest())'],
        {
          input: data,
          encoding: 'utf8',
        },
      );
      return hashed.stdout.trim();
    };
    expect(listed).toEqual(Object.fromEntries(entries.map((e) => [e.name, [0, sha(e.data)]])));
  });

  it.skipIf(!hasPython)('reads back what it wrote, and stored archives Python wrote', () => {
    const again = readZip(writeZip(entries));
    expect([...again.keys()]).toEqual(entries.map((e) => e.name));
    for (const entry of entries) expect(Buffer.from(again.get(entry.name)!).equals(Buffer.from(entry.data))).toBe(true);

    const dir = mkdtempSync(join(tmpdir(), 'iir-zip-'));
    const script = [
      'import sys, zipfile',
      'with zipfile.ZipFile(sys.argv[1], "w", zipfile.ZIP_STORED) as z:',
      '  z.writestr("a/b.txt", b"hello")',
      '  z.writestr("c.bin", bytes(range(256)) * 10)',
      'with zipfile.ZipFile(sys.argv[2], "w", zipfile.ZIP_DEFLATED) as z:',
      '  z.writestr("d.txt", b"x" * 1000)',
    ].join('\n');
    const made = spawnSync(python, ['-c', script, join(dir, 'stored.zip'), join(dir, 'deflated.zip')]);
    expect(made.status).toBe(0);
    const stored = readZip(new Uint8Array(readFileSync(join(dir, 'stored.zip'))));
    expect(new TextDecoder().decode(stored.get('a/b.txt'))).toBe('hello');
    expect(stored.get('c.bin')!.length).toBe(2560);
    expect(() => readZip(new Uint8Array(readFileSync(join(dir, 'deflated.zip'))))).toThrow(
      /^d\.txt in this project is compressed/,
    );
  });

  it('refuses damaged archives and unsafe names with one plain sentence', () => {
    const bytes = writeZip(entries);
    const flipped = bytes.slice();
    flipped[200] = flipped[200]! ^ 0xff;
    expect(() => readZip(flipped)).toThrow(
      'this project file is damaged (original/café photo.jpg does not match its checksum)',
    );
    expect(() => readZip(bytes.subarray(0, 5000))).toThrow(/^this is not a project file/);
    expect(() => readZip(new Uint8Array(10))).toThrow('this is not a project file (it is too short)');
    expect(() => writeZip([{ name: '../evil', data: new Uint8Array(1) }])).toThrow(
      '"../evil" cannot be a file name inside a project',
    );
  });

  it('writes the same bytes for the same files', () => {
    expect(Buffer.from(writeZip(entries)).equals(Buffer.from(writeZip(entries)))).toBe(true);
  });
});
