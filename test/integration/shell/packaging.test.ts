import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { load } from 'js-yaml';
import { minimatch } from 'minimatch';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..', '..');

interface BuilderConfig {
  files: string[];
  asarUnpack: string[];
  extraResources?: { from: string; to: string; filter?: string[] }[];
  linux: { target: string[] };
  win: { target: string[] };
  mac: { target: string[] };
}

const config = load(readFileSync(join(root, 'electron-builder.yml'), 'utf8')) as BuilderConfig;

/** electron-builder's file filter: the last matching pattern wins, `!` excludes. */
function isIncluded(path: string): boolean {
  let included = false;
  for (const pattern of config.files) {
    const negated = pattern.startsWith('!');
    if (minimatch(path, negated ? pattern.slice(1) : pattern, { dot: true })) included = !negated;
  }
  return included;
}

const isUnpacked = (path: string): boolean =>
  config.asarUnpack.some((pattern) => minimatch(path, pattern, { dot: true }));

describe('electron-builder.yml', () => {
  it('includes the main, preload and renderer build outputs', () => {
    for (const path of [
      'out/main/index.js',
      'out/main/engine.js',
      'out/preload/index.cjs',
      'out/renderer/index.html',
    ]) {
      expect(isIncluded(path), path).toBe(true);
    }
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { main: string };
    expect(isIncluded(pkg.main)).toBe(true);
  });

  it('unpacks the native modules from the asar', () => {
    for (const path of [
      'node_modules/onnxruntime-node/bin/napi-v6/linux/x64/onnxruntime_binding.node',
      'node_modules/onnxruntime-node/bin/napi-v6/win32/x64/DirectML.dll',
      'node_modules/sharp/lib/index.js',
      'node_modules/@img/sharp-linux-x64/lib/sharp-linux-x64.node',
    ]) {
      expect(isUnpacked(path), path).toBe(true);
    }
  });

  it('never bundles model weights', () => {
    for (const path of [
      'models/sd15/unet/model.onnx',
      'out/main/x.onnx',
      'models/sd/unet/weights.pb',
      'a/model.onnx_data',
    ]) {
      expect(isIncluded(path), path).toBe(false);
    }
    for (const resource of config.extraResources ?? []) expect(resource.filter).toEqual(['*.json']);
  });

  it('builds AppImage/deb, nsis and dmg', () => {
    expect(config.linux.target).toEqual(expect.arrayContaining(['AppImage', 'deb']));
    expect(config.win.target).toContain('nsis');
    expect(config.mac.target).toContain('dmg');
  });
});
