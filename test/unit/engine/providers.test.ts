import { mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  availability,
  linuxHasVulkanLoader,
  chooseProvider,
  oneLine,
  preflight,
  providerFallbackChain,
  selfTest,
  type PreflightReport,
} from '../../../main/engine/providers';
import { ModelSessions, createSession } from '../../../main/engine/sessions';
import { buildSelfTestGraph } from '../../../main/engine/tinyGraph';
import { cacheDir } from '../../setup/global';

const report: PreflightReport = {
  platform: 'linux',
  arch: 'x64',
  auto: 'webgpu',
  notes: [],
  providers: [
    { name: 'cuda', shipped: false, ok: false, reason: 'library missing' },
    { name: 'dml', shipped: false, ok: false, reason: 'not part of onnxruntime-node on linux/x64' },
    { name: 'coreml', shipped: false, ok: false, reason: 'not part of onnxruntime-node on linux/x64' },
    { name: 'webgpu', shipped: true, ok: true },
    { name: 'cpu', shipped: true, ok: true },
  ],
};

describe('provider availability', () => {
  const backends = [{ name: 'cpu' }, { name: 'webgpu' }, { name: 'cuda' }];

  it('reports providers onnxruntime-node does not list as not shipped', () => {
    expect(availability('dml', backends, 'linux', 'x64', '/nowhere').shipped).toBe(false);
    expect(availability('cpu', backends, 'linux', 'x64', '/nowhere').shipped).toBe(true);
  });

  it('says why CUDA is unavailable when its provider library was not installed', () => {
    const result = availability('cuda', backends, 'linux', 'x64', mkdtempSync(join(cacheDir, 'ortbin-')));
    expect(result.shipped).toBe(false);
    expect(result.reason).toMatch(/libonnxruntime_providers_cuda\.so/);
    expect(result.reason).toMatch(/CUDA 12/);
  });

  it('treats CUDA as shipped when its libraries are present', () => {
    const dir = mkdtempSync(join(cacheDir, 'ortbin-'));
    writeFileSync(join(dir, 'libonnxruntime_providers_cuda.so'), '');
    writeFileSync(join(dir, 'libonnxruntime_providers_shared.so'), '');
    expect(availability('cuda', backends, 'linux', 'x64', dir).shipped).toBe(true);
  });

  it('reports WebGPU on Linux as unavailable, with the fix, when there is no Vulkan loader', () => {
    const none = availability('webgpu', backends, 'linux', 'x64', '/nowhere', () => false);
    expect(none.shipped).toBe(false);
    expect(none.reason).toMatch(/libvulkan\.so\.1/);
    expect(availability('webgpu', backends, 'linux', 'x64', '/nowhere', () => true).shipped).toBe(true);
    expect(availability('webgpu', backends, 'win32', 'x64', '/nowhere', () => false).shipped).toBe(true);
  });

  it('finds the Vulkan loader in the library cache or LD_LIBRARY_PATH, and says yes when it cannot tell', () => {
    const dir = mkdtempSync(join(cacheDir, 'ldcache-'));
    const withVulkan = join(dir, 'with.cache');
    const without = join(dir, 'without.cache');
    writeFileSync(withVulkan, 'ld.so-1.7.0\0libc.so.6\0libvulkan.so.1\0/usr/lib/x86_64-linux-gnu/libvulkan.so.1\0');
    writeFileSync(without, 'ld.so-1.7.0\0libc.so.6\0libm.so.6\0');
    expect(linuxHasVulkanLoader({}, withVulkan)).toBe(true);
    expect(linuxHasVulkanLoader({}, without)).toBe(false);
    expect(linuxHasVulkanLoader({}, join(dir, 'missing.cache'))).toBe(true);
    writeFileSync(join(dir, 'libvulkan.so.1'), '');
    expect(linuxHasVulkanLoader({ LD_LIBRARY_PATH: `/nowhere:${dir}` }, without)).toBe(true);
  });
});

describe('chooseProvider', () => {
  it('auto picks the pre-flight choice and records every better provider that was passed over', () => {
    const decision = chooseProvider(report, { default: 'auto' }, 'unet');
    expect(decision.provider).toBe('webgpu');
    expect(decision.fallbacks).toEqual([
      'cuda: library missing',
      'dml: not part of onnxruntime-node on linux/x64',
      'coreml: not part of onnxruntime-node on linux/x64',
    ]);
  });

  it('honours a per-role pin over the default', () => {
    const settings = { default: 'auto', perRole: { vae_decoder: 'cpu' } } as const;
    expect(chooseProvider(report, settings, 'vae_decoder').provider).toBe('cpu');
    expect(chooseProvider(report, settings, 'unet').provider).toBe('webgpu');
  });

  it('never uses a pinned provider that failed pre-flight, and says why', () => {
    const decision = chooseProvider(report, { default: 'cuda' }, 'unet');
    expect(decision.provider).toBe('webgpu');
    expect(decision.fallbacks).toEqual(['cuda: library missing']);
  });

  it('falls back from a pinned working provider only to providers below it', () => {
    expect(providerFallbackChain(report, chooseProvider(report, { default: 'webgpu' }, 'unet'))).toEqual([
      'webgpu',
      'cpu',
    ]);
    expect(providerFallbackChain(report, chooseProvider(report, { default: 'cpu' }, 'unet'))).toEqual(['cpu']);
  });
});

describe('pre-flight on this machine', () => {
  it('runs the self-test graph on the CPU provider', async () => {
    expect(await selfTest('cpu')).toBeUndefined();
  });

  it('reports a failing provider as failed with a one-line reason', async () => {
    const failure = await selfTest('dml');
    expect(failure).toBeTypeOf('string');
    expect(failure).not.toMatch(/\n/);
  });

  it('marks cpu ok, picks a working provider for auto and never lists a failed provider as ok', async () => {
    const result = await preflight();
    const cpu = result.providers.find((p) => p.name === 'cpu');
    expect(cpu?.ok).toBe(true);
    expect(result.providers.find((p) => p.name === result.auto)?.ok).toBe(true);
    for (const p of result.providers) {
      if (!p.ok) expect(p.reason).toBeTruthy();
    }
    if (result.platform === 'linux' && result.arch === 'x64' && !result.providers.find((p) => p.name === 'cuda')?.ok) {
      expect(result.notes.join(' ')).toMatch(/CUDA is not available/);
    }
  });

  it('shortens multi-line ONNX Runtime errors to the message', () => {
    const raw =
      '/onnxruntime_src/x.cc:136 fn::<lambda()> adapter_result.status == Success was false. Failed to get a WebGPU adapter\nmore';
    expect(oneLine(new Error(raw))).toBe('Failed to get a WebGPU adapter');
  });
});

describe('session factory', () => {
  const path = join(cacheDir, 'selftest-graph.onnx');
  writeFileSync(path, buildSelfTestGraph());

  it('falls back to the next working provider when the chosen one fails to load, recording why', async () => {
    const broken: PreflightReport = {
      ...report,
      auto: 'dml',
      providers: report.providers.map((p) =>
        p.name === 'dml' ? { ...p, ok: true } : p.name === 'webgpu' ? { ...p, ok: false, reason: 'no adapter' } : p,
      ),
    };
    const loaded = await createSession(path, 'unet', { report: broken, settings: { default: 'auto' } });
    expect(loaded.provider).toBe('cpu');
    expect(loaded.fallbacks.some((f) => f.startsWith('dml: '))).toBe(true);
    await loaded.session.release();
  });

  it('names a missing model file', async () => {
    await expect(
      createSession(join(cacheDir, 'absent.onnx'), 'unet', { report, settings: { default: 'cpu' } }),
    ).rejects.toThrow(/model file not found: .*absent\.onnx/);
  });

  it('releases a stage in low-memory mode and keeps it otherwise', async () => {
    const low = new ModelSessions({ unet: path }, { report, settings: { default: 'cpu' }, lowMemory: true });
    await low.get('unet');
    await low.done('unet');
    expect(low.loadedRoles()).toEqual([]);
    expect(low.history.get('unet')?.provider).toBe('cpu');
    const normal = new ModelSessions({ unet: path }, { report, settings: { default: 'cpu' } });
    const first = await normal.get('unet');
    await normal.done('unet');
    expect(await normal.get('unet')).toBe(first);
    await normal.releaseAll();
    expect(normal.loadedRoles()).toEqual([]);
  });
});
