import { mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { autoProvider, chooseProvider, softwareReason, type ProviderStatus } from '../../../main/engine/providers';
import { linuxSoftwareAdapter, softwareRenderer, vulkanDriverManifests } from '../../../main/engine/webgpuAdapter';
import { cacheDir } from '../../setup/global';

const dir = mkdtempSync(join(cacheDir, 'icd-'));
function manifest(name: string, library: string): string {
  const path = join(dir, name);
  writeFileSync(path, JSON.stringify({ file_format_version: '1.0.0', ICD: { library_path: library } }));
  return path;
}
const swiftshader = manifest('vk_swiftshader_icd.json', './libvk_swiftshader.so');
const lavapipe = manifest('lvp_icd.x86_64.json', '/usr/lib/x86_64-linux-gnu/libvulkan_lvp.so');
const intel = manifest('intel_icd.x86_64.json', '/usr/lib/x86_64-linux-gnu/libvulkan_intel.so');
const nvidia = manifest('nvidia_icd.json', 'libGLX_nvidia.so.0');

describe('software WebGPU adapters', () => {
  it('reads the driver list from VK_DRIVER_FILES / VK_ICD_FILENAMES, else the manifest folders', () => {
    expect(vulkanDriverManifests({ VK_ICD_FILENAMES: `${swiftshader}:${intel}` })).toEqual([swiftshader, intel]);
    expect(vulkanDriverManifests({ VK_DRIVER_FILES: nvidia, VK_ICD_FILENAMES: swiftshader })).toEqual([nvidia]);
    expect(vulkanDriverManifests({ XDG_DATA_DIRS: join(dir, 'none') })).not.toContain(swiftshader);
  });

  it('names SwiftShader and lavapipe, and not hardware drivers', () => {
    expect(softwareRenderer(swiftshader)).toBe('SwiftShader');
    expect(softwareRenderer(lavapipe)).toBe('lavapipe');
    expect(softwareRenderer(intel)).toBeUndefined();
    expect(softwareRenderer(nvidia)).toBeUndefined();
  });

  it('is software when every driver is, or when there is no GPU device', () => {
    expect(linuxSoftwareAdapter([swiftshader], true)).toBe('SwiftShader');
    expect(linuxSoftwareAdapter([lavapipe, swiftshader], true)).toBe('lavapipe');
    expect(linuxSoftwareAdapter([intel, lavapipe], true)).toBeUndefined();
    expect(linuxSoftwareAdapter([nvidia], true)).toBeUndefined();
    expect(linuxSoftwareAdapter([intel, lavapipe], false)).toBe('lavapipe');
    expect(linuxSoftwareAdapter([], false)).toBe('no GPU device');
  });

  it('auto ranks a working software adapter below CPU, and a pin still gets it', () => {
    const providers: ProviderStatus[] = [
      { name: 'cuda', shipped: false, ok: false, reason: 'library missing' },
      { name: 'webgpu', shipped: true, ok: true, software: 'SwiftShader', reason: softwareReason('SwiftShader') },
      { name: 'cpu', shipped: true, ok: true },
    ];
    expect(autoProvider(providers)).toBe('cpu');
    expect(autoProvider(providers.map((p) => (p.name === 'cpu' ? { ...p, ok: false } : p)))).toBe('webgpu');
    expect(
      autoProvider(providers.map((p) => (p.name === 'webgpu' ? { name: 'webgpu', shipped: true, ok: true } : p))),
    ).toBe('webgpu');
    const report = { platform: 'linux', arch: 'x64', providers, auto: 'cpu' as const, notes: [] };
    const decision = chooseProvider(report, { default: 'auto' }, 'unet');
    expect(decision.provider).toBe('cpu');
    expect(decision.fallbacks).toContain(
      'webgpu: software adapter (SwiftShader): slower than the CPU provider, used only when chosen',
    );
    expect(chooseProvider(report, { default: 'webgpu' }, 'unet').provider).toBe('webgpu');
  });
});
