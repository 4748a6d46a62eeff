/**
 * Whether WebGPU would run on a software adapter. On Linux, Dawn reaches the GPU through Vulkan; where the only
 * Vulkan drivers are CPU renderers (SwiftShader, which Chromium ships; Mesa's lavapipe/llvmpipe) or no GPU device
 * node exists, the WebGPU provider "works" but runs 30× slower than the CPU provider, so `auto` must rank it below
 * CPU. ONNX Runtime does not tell which adapter it picked, so the Vulkan driver manifests (ICD JSON files) the
 * loader would read are inspected instead: the `VK_DRIVER_FILES` / `VK_ICD_FILENAMES` list when set, else the
 * standard manifest folders.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';

const softwareDriver = /swiftshader|lvp|lavapipe|llvmpipe|softpipe/i;

/** The Vulkan driver manifests the loader would read. */
export function vulkanDriverManifests(env: NodeJS.ProcessEnv = process.env): string[] {
  const listed = env.VK_DRIVER_FILES ?? env.VK_ICD_FILENAMES;
  if (listed !== undefined && listed !== '') return listed.split(':').filter((f) => f !== '');
  const dataDirs = (env.XDG_DATA_DIRS ?? '/usr/local/share:/usr/share').split(':').filter((d) => d !== '');
  const folders = ['/etc/vulkan/icd.d', ...dataDirs.map((d) => join(d, 'vulkan', 'icd.d'))];
  const found: string[] = [];
  for (const folder of folders) {
    try {
      for (const name of readdirSync(folder)) if (name.endsWith('.json')) found.push(join(folder, name));
    } catch {
      // no such folder
    }
  }
  return found;
}

/** The software renderer a driver manifest names, or undefined for a hardware driver. */
export function softwareRenderer(manifest: string): string | undefined {
  let library = '';
  try {
    const parsed = JSON.parse(readFileSync(manifest, 'utf8')) as { ICD?: { library_path?: unknown } };
    if (typeof parsed.ICD?.library_path === 'string') library = parsed.ICD.library_path;
  } catch {
    // unreadable manifest: judged by its name
  }
  const match = softwareDriver.exec(`${basename(manifest)} ${library}`);
  if (!match) return undefined;
  return /swiftshader/i.test(match[0]) ? 'SwiftShader' : 'lavapipe';
}

/** A GPU device node exists (DRM render node, or NVIDIA's proprietary device). */
export function hasGpuDevice(exists: (path: string) => boolean = existsSync): boolean {
  if (exists('/dev/nvidia0') || exists('/dev/dxg')) return true;
  try {
    return readdirSync('/dev/dri').some((name) => name.startsWith('renderD'));
  } catch {
    return false;
  }
}

/**
 * The software renderer WebGPU would use on Linux ("SwiftShader", "lavapipe", "no GPU device"), or undefined when
 * a hardware Vulkan driver and a GPU device are present.
 */
export function linuxSoftwareAdapter(
  manifests: readonly string[] = vulkanDriverManifests(),
  gpuDevice: boolean = hasGpuDevice(),
): string | undefined {
  const renderers = manifests.map(softwareRenderer);
  const software = renderers.find((r) => r !== undefined);
  if (manifests.length > 0 && renderers.every((r) => r !== undefined)) return software;
  if (!gpuDevice) return software ?? 'no GPU device';
  return undefined;
}
