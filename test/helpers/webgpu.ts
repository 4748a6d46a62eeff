/**
 * WebGPU for tests on machines without a GPU: Debian's `chromium` package ships SwiftShader's Vulkan driver. With
 * the Vulkan loader (`libvulkan1`), `VK_ICD_FILENAMES` pointing at that driver's manifest and `XDG_RUNTIME_DIR`
 * set, onnxruntime-node's WebGPU provider finds an adapter. Call {@link useSoftwareWebgpu} before the first WebGPU
 * session of the process (Dawn reads the environment once).
 */
import { existsSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { preflight } from '../../main/engine/providers';

const manifests = ['/usr/lib/chromium/vk_swiftshader_icd.json', '/usr/lib64/chromium/vk_swiftshader_icd.json'];

/**
 * Points Vulkan at SwiftShader when no driver list is set and Chromium's copy is installed, then runs the provider
 * pre-flight again. Resolves with why WebGPU cannot be tested here, or undefined when it can.
 */
export async function useSoftwareWebgpu(): Promise<string | undefined> {
  if (process.env.VK_ICD_FILENAMES === undefined && process.env.VK_DRIVER_FILES === undefined) {
    const manifest = manifests.find((m) => existsSync(m));
    if (manifest) process.env.VK_ICD_FILENAMES = manifest;
  }
  if (process.env.XDG_RUNTIME_DIR === undefined) {
    const runtime = join(tmpdir(), `xdg-runtime-${process.getuid?.() ?? 'user'}`);
    mkdirSync(runtime, { recursive: true, mode: 0o700 });
    process.env.XDG_RUNTIME_DIR = runtime;
  }
  const report = await preflight({ refresh: true });
  const webgpu = report.providers.find((p) => p.name === 'webgpu');
  if (webgpu?.ok) return undefined;
  return (
    `no WebGPU adapter (${webgpu?.reason ?? 'not shipped'}); install the chromium and libvulkan1 packages ` +
    'for SwiftShader, or run on a machine with a GPU'
  );
}
