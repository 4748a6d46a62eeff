/**
 * The real package, not a re-implementation of electron-builder's filters: electron-vite builds out/, electron-builder
 * packs it with electron-builder.yml (stand-in Electron, see ./packaging.ts) and the tests read what it wrote.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { cacheDir } from '../../setup/global';
import {
  type DebPlan,
  type Packed,
  defaultDebDepends,
  packLinuxDir,
  packageSize,
  planDeb,
  projectRoot,
} from './packaging';

const workDir = join(cacheDir, 'packaging');
let packed: Packed;
let deb: DebPlan;

beforeAll(async () => {
  execFileSync(join(projectRoot, 'node_modules', '.bin', 'electron-vite'), ['build'], {
    cwd: projectRoot,
    stdio: 'pipe',
  });
  packed = await packLinuxDir(workDir);
  deb = await planDeb(packed.appOutDir, workDir);
}, 300_000);

const packedUnder = (prefix: string): string[] => [...packed.files].filter((path) => path.startsWith(prefix));

describe('the packed app.asar', () => {
  it('holds main, the preload, the renderer and package.json', () => {
    const pkg = JSON.parse(readFileSync(join(projectRoot, 'package.json'), 'utf8')) as { main: string };
    for (const path of ['/out/main/engine.js', '/out/preload/index.cjs', '/out/renderer/index.html', `/${pkg.main}`]) {
      expect(packed.files.has(path), path).toBe(true);
      expect(packed.unpacked.has(path), path).toBe(false);
    }
  });

  it('holds the built-in catalog inside the asar, where the built main reads it', () => {
    const readers = packedUnder('/out/main/').filter(
      (path) =>
        path.endsWith('.js') && readFileSync(join(projectRoot, path), 'utf8').includes('"models", "catalog.json"'),
    );
    expect(readers).not.toEqual([]);
    for (const reader of readers) {
      // builtinCatalogPath() is join(import.meta.dirname, '..', '..', 'models', 'catalog.json')
      const catalog = posix.join(posix.dirname(reader), '..', '..', 'models', 'catalog.json');
      expect(packed.files.has(catalog), `${reader} reads ${catalog}`).toBe(true);
      expect(packed.unpacked.has(catalog)).toBe(false);
    }
  });

  it('unpacks the native modules, with only this platform’s ONNX Runtime', () => {
    for (const path of [
      '/node_modules/onnxruntime-node/bin/napi-v6/linux/x64/onnxruntime_binding.node',
      '/node_modules/onnxruntime-node/bin/napi-v6/linux/x64/libonnxruntime.so.1',
      '/node_modules/sharp/dist/index.mjs',
    ]) {
      expect(packed.unpacked.has(path), path).toBe(true);
    }
    const natives = [...packed.files].filter((path) => /\.(node|dll|dylib|so(\.\d+)*)$/.test(path));
    expect(natives.some((path) => path.startsWith('/node_modules/@img/sharp-linux-x64/lib/'))).toBe(true);
    expect(natives.filter((path) => !packed.unpacked.has(path))).toEqual([]);
    const binaries = packedUnder('/node_modules/onnxruntime-node/bin/napi-v6/').filter(
      (path) => path.split('/').length > 7,
    );
    expect(
      binaries.filter((path) => !path.startsWith('/node_modules/onnxruntime-node/bin/napi-v6/linux/x64/')),
    ).toEqual([]);
  });

  it('leaves out what never runs: onnxruntime-web, Vue, sources, maps and model weights', () => {
    const unwanted = [...packed.files].filter(
      (path) =>
        /^\/node_modules\/(onnxruntime-web|vue|@vue|pinia|@babel|protobufjs)\//.test(path) ||
        /^\/node_modules\/.*\.(ts|map)$/.test(path) ||
        /\.(onnx|onnx_data)$|\/weights\.pb$/.test(path),
    );
    expect(unwanted).toEqual([]);
    // What main and the engine load stays.
    for (const name of ['@huggingface/transformers', 'onnxruntime-common', 'sharp', 'undici', 'ws', 'zod']) {
      expect(packed.files.has(`/node_modules/${name}/package.json`), name).toBe(true);
    }
    expect(packed.files.has('/node_modules/@huggingface/transformers/dist/transformers.node.mjs')).toBe(true);
  });

  it('adds about 73 MB to Electron on Linux x64 (it was 358 MB)', () => {
    const size = packageSize(packed.appOutDir);
    console.info(
      `app.asar ${(size.asar / 1e6).toFixed(1)} MB + app.asar.unpacked ${(size.unpacked / 1e6).toFixed(1)} MB`,
    );
    expect(size.asar + size.unpacked).toBeLessThan(100e6);
  });
});

describe('the deb, as electron-builder plans it for fpm', () => {
  const arg = (name: string): string | undefined => deb.args[deb.args.indexOf(name) + 1];

  it('has the homepage and the maintainer email that deb requires', () => {
    expect(arg('--url')).toMatch(/^https:\/\//);
    expect(arg('--maintainer')).toMatch(/^.+ <[^@\s]+@[^@\s]+\.[a-z]+>$/);
  });

  it('keeps electron-builder’s default dependencies and adds its own', () => {
    const config = readFileSync(join(projectRoot, 'electron-builder.yml'), 'utf8');
    const depends = /^deb:\n(?:.*\n)*?\s+depends:\n((?:\s+- .*\n)+)/m.exec(config)?.[1] ?? '';
    const listed = depends
      .split('\n')
      .map((line) => line.replace(/^\s+- /, '').trim())
      .filter(Boolean);
    expect(listed).toEqual(expect.arrayContaining(defaultDebDepends()));
    expect(listed.length).toBeGreaterThan(defaultDebDepends().length);
  });

  it('offers "Open with" for images under the desktopName Electron uses, and never disables the sandbox', () => {
    expect(deb.args.some((a) => a.endsWith('=/usr/share/applications/iir-studio.desktop'))).toBe(true);
    expect(deb.desktopEntry).toMatch(
      /^MimeType=image\/png;image\/jpeg;image\/webp;image\/tiff;image\/avif;image\/gif;$/m,
    );
    expect(deb.desktopEntry).toMatch(/^Exec=.* %U$/m);
    expect(deb.desktopEntry).toMatch(/^StartupWMClass=iir-studio$/m);
    expect(deb.desktopEntry).not.toContain('--no-sandbox');
    // No shared-mime-info file redefining image/png & co.
    expect(deb.args.filter((a) => a.includes('/usr/share/mime/'))).toEqual([]);
  });

  it('installs the AppArmor profile Ubuntu 23.10+ needs for the Chromium sandbox', () => {
    expect(deb.afterInstall).toContain("APPARMOR_PROFILE_TARGET='/etc/apparmor.d/iir-studio'");
    expect(existsSync(join(packed.appOutDir, 'resources', 'apparmor-profile'))).toBe(true);
  });
});
