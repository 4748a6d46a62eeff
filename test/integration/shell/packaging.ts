/**
 * Packs the app with the real electron-builder and electron-builder.yml, against a stand-in Electron (an executable
 * script: the Electron binary cannot be downloaded here), and reads back what it wrote.
 */
import { chmodSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { Arch, Platform, build } from 'electron-builder';

export const projectRoot = join(import.meta.dirname, '..', '..', '..');

/** What `electron-builder --dir` produced. */
export interface Packed {
  readonly appOutDir: string;
  /** Every path in app.asar (`/out/main/index.js`, …), packed or unpacked. */
  readonly files: ReadonlySet<string>;
  /** The paths electron-builder unpacked to app.asar.unpacked. */
  readonly unpacked: ReadonlySet<string>;
}

interface AsarModule {
  listPackage(path: string, options: { isPack: boolean }): string[];
}

/** The asar module electron-builder itself packs with (its dependency, resolved from it, so versions match). */
function asarModule(): AsarModule {
  const fromProject = createRequire(join(projectRoot, 'package.json'));
  return createRequire(fromProject.resolve('app-builder-lib'))('@electron/asar') as AsarModule;
}

/** A stand-in Electron distribution: electron-builder copies it and renames `electron` to the executable name. */
function fakeElectronDist(dir: string): string {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'electron'), '#!/bin/sh\necho "stand-in for the Electron binary" >&2\nexit 1\n');
  chmodSync(join(dir, 'electron'), 0o755);
  return dir;
}

/** `electron-builder --linux dir --x64` into `workDir`; lists the app.asar it wrote. */
export async function packLinuxDir(workDir: string): Promise<Packed> {
  rmSync(workDir, { recursive: true, force: true });
  const output = join(workDir, 'release');
  await build({
    projectDir: projectRoot,
    targets: Platform.LINUX.createTarget('dir', Arch.x64),
    config: { electronDist: fakeElectronDist(join(workDir, 'electron-dist')), directories: { output } },
    publish: 'never',
  });
  const appOutDir = join(output, 'linux-unpacked');
  const files = new Set<string>();
  const unpacked = new Set<string>();
  for (const line of asarModule().listPackage(join(appOutDir, 'resources', 'app.asar'), { isPack: true })) {
    const [state, path] = line.split(' : ') as [string, string];
    const normalized = path.replaceAll('\\', '/');
    files.add(normalized);
    if (state.trim() === 'unpack') unpacked.add(normalized);
  }
  return { appOutDir, files, unpacked };
}

function treeBytes(path: string): number {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.size;
  return readdirSync(path).reduce((sum, name) => sum + treeBytes(join(path, name)), 0);
}

/** Bytes of app.asar and of app.asar.unpacked: what the app adds to Electron in every installer. */
export function packageSize(appOutDir: string): { asar: number; unpacked: number } {
  const resources = join(appOutDir, 'resources');
  return { asar: treeBytes(join(resources, 'app.asar')), unpacked: treeBytes(join(resources, 'app.asar.unpacked')) };
}

/** electron-builder's own default deb dependencies (a custom `deb.depends` replaces them). */
export function defaultDebDepends(): string[] {
  const fromProject = createRequire(join(projectRoot, 'package.json'));
  const fpm = fromProject(fromProject.resolve('app-builder-lib/out/targets/FpmTarget')) as {
    default: { prototype: { getDefaultDepends(target: string): string[] } };
  };
  return fpm.default.prototype.getDefaultDepends('deb');
}

/** What the deb target would hand to fpm, captured by electron-builder's own hook before fpm runs. */
export interface DebPlan {
  /** fpm's arguments: `--maintainer`, `--url`, `--after-install`, the files, … */
  readonly args: readonly string[];
  /** The .desktop entry it writes. */
  readonly desktopEntry: string;
  /** The package's post-install script. */
  readonly afterInstall: string;
}

/** Runs the real deb target on a packed app up to the point where it would start fpm (fpm is not available here). */
export async function planDeb(appOutDir: string, workDir: string): Promise<DebPlan> {
  let captured: DebPlan | undefined;
  await build({
    projectDir: projectRoot,
    prepackaged: appOutDir,
    targets: Platform.LINUX.createTarget('deb', Arch.x64),
    config: { directories: { output: join(workDir, 'deb') } },
    publish: 'never',
    // electron-builder's own hook: it gets fpm's arguments and the .desktop file; true stops before fpm.
    effectiveOptionComputed: (options: unknown) => {
      const [args, desktopFile] = options as [string[], string];
      const afterInstall = readFileSync(args[args.indexOf('--after-install') + 1]!, 'utf8');
      captured ??= { args: [...args], desktopEntry: readFileSync(desktopFile, 'utf8'), afterInstall };
      return Promise.resolve(true);
    },
  });
  if (!captured) throw new Error('electron-builder never reached the fpm step');
  return captured;
}
