/**
 * Execution providers: which ones this build of onnxruntime-node ships, a pre-flight self-test of each on a tiny
 * graph, and the choice per model role with every fallback reason recorded (architecture.md §5).
 *
 * Usage (engine and segmentation alike):
 *   const report = await preflight();                         // once per process, cached
 *   const choice = chooseProvider(report, settings, 'unet');  // { provider, requested, fallbacks }
 *   // or let sessions.ts create the session: it also falls back when a real model fails on the chosen provider.
 *
 * A provider counts as working only when the self-test session was created AND its output was numerically right.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import ort from 'onnxruntime-node';
import {
  type ProviderChoice,
  type ProviderName,
  type ProviderRole,
  providerChoices,
  providerNames,
} from '../../shared/api/providers';
import { IirError } from '../../shared/errors';
import { buildSelfTestGraph } from './tinyGraph';
import { linuxSoftwareAdapter } from './webgpuAdapter';

/** Providers in order of preference (fastest first), as the API declares them. */
export const providerPreference = providerNames;
export type { ProviderChoice, ProviderName, ProviderRole };
export { providerChoices };

/** The user's provider settings: one default and optional pins per role, and the CPU thread budget (threads.ts). */
export interface ProviderSettings {
  readonly default: ProviderChoice;
  readonly perRole?: Partial<Record<ProviderRole, ProviderChoice>>;
  /** Intra-op threads of every session (`iir worker --threads`); ONNX Runtime's default, every core, without. */
  readonly threads?: number;
}

export const autoProviders: ProviderSettings = { default: 'auto' };

/** The pre-flight outcome of one provider. `ok` is true only if it ran the self-test graph correctly. */
export interface ProviderStatus {
  readonly name: ProviderName;
  /** onnxruntime-node has this provider on this platform (for CUDA: and its provider library is installed). */
  readonly shipped: boolean;
  readonly ok: boolean;
  /** Why it is not usable (one line), when `ok` is false. */
  readonly reason?: string;
  /** Session creation + one run, milliseconds. */
  readonly ms?: number;
  /**
   * It runs on a software adapter (WebGPU on SwiftShader or lavapipe): it works when pinned, but `auto` ranks it
   * below CPU.
   */
  readonly software?: string;
}

export interface PreflightReport {
  readonly platform: string;
  readonly arch: string;
  readonly providers: readonly ProviderStatus[];
  /**
   * The provider `auto` picks: the first in {@link providerPreference} that passed, software adapters after CPU.
   */
  readonly auto: ProviderName;
  /** Advice for the user (e.g. why CUDA is not available on a Linux x64 machine). */
  readonly notes: readonly string[];
}

/** The provider picked for one role, and why others were passed over. */
export interface ProviderDecision {
  readonly provider: ProviderName;
  readonly requested: ProviderChoice;
  /** One line per provider that was skipped or failed on the way, e.g. "cuda: provider library not installed". */
  readonly fallbacks: readonly string[];
}

/** The folder holding onnxruntime-node's native binding (and, if installed, the CUDA provider libraries). */
export function ortBinaryDir(platform: string = process.platform, arch: string = process.arch): string {
  const require = createRequire(import.meta.url);
  const pkgDir = dirname(require.resolve('onnxruntime-node/package.json'));
  return join(pkgDir, 'bin', 'napi-v6', platform, arch);
}

const cudaLibraries = ['libonnxruntime_providers_cuda.so', 'libonnxruntime_providers_shared.so'];

/** A short, one-line version of an ONNX Runtime error (they carry source paths and several lines). */
export function oneLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  const first = text.split('\n').find((line) => line.trim() !== '') ?? text;
  // "/onnxruntime_src/…/file.cc:136 fn(...)::<lambda()> condition was false. Message" → keep the message
  const falseAt = first.lastIndexOf(' was false. ');
  const trimmed = falseAt >= 0 ? first.slice(falseAt + ' was false. '.length) : first;
  return trimmed.length > 200 ? `${trimmed.slice(0, 197)}...` : trimmed;
}

interface Availability {
  readonly shipped: boolean;
  readonly reason?: string;
}

/**
 * Whether the dynamic loader can find the Vulkan loader, which WebGPU (Dawn) needs on Linux. Only a definite "no" counts:
 * the system library cache exists and does not list it, and no LD_LIBRARY_PATH folder holds it. Anything unusual
 * (no cache file) says yes, so a working GPU path is never hidden; the self-test decides then.
 */
export function linuxHasVulkanLoader(env: NodeJS.ProcessEnv = process.env, cachePath = '/etc/ld.so.cache'): boolean {
  const library = 'libvulkan.so.1';
  for (const dir of (env.LD_LIBRARY_PATH ?? '').split(':')) {
    if (dir !== '' && existsSync(join(dir, library))) return true;
  }
  try {
    return readFileSync(cachePath).includes(library);
  } catch {
    return true;
  }
}

/**
 * Whether onnxruntime-node ships `name` here. `backends` is `listSupportedBackends()`; CUDA is listed on Linux x64
 * even when its provider libraries were not fetched at install time, so their presence is checked on disk. WebGPU on
 * Linux runs through Vulkan: without the Vulkan loader it cannot work, and trying makes Dawn print a native warning
 * on stderr, so it is reported as unavailable with the reason instead.
 */
export function availability(
  name: ProviderName,
  backends: readonly { name: string }[],
  platform: string,
  arch: string,
  binaryDir: string,
  hasVulkanLoader: () => boolean = linuxHasVulkanLoader,
): Availability {
  if (!backends.some((b) => b.name === name)) {
    return { shipped: false, reason: `not part of onnxruntime-node on ${platform}/${arch}` };
  }
  if (name === 'cuda') {
    const missing = cudaLibraries.filter((lib) => !existsSync(join(binaryDir, lib)));
    if (missing.length > 0) {
      return {
        shipped: false,
        reason:
          `CUDA provider library not installed (${missing.join(', ')} missing): onnxruntime-node's install ` +
          'script fetches it during `npm ci` with network access (not with ONNXRUNTIME_NODE_INSTALL=skip); it also ' +
          'needs CUDA 12 and cuDNN 9',
      };
    }
  }
  if (name === 'webgpu' && platform === 'linux' && !hasVulkanLoader()) {
    return {
      shipped: false,
      reason: "the Vulkan loader (libvulkan.so.1) is not installed; install your distribution's libvulkan1 package",
    };
  }
  return { shipped: true };
}

const selfTestA = Float32Array.from([1, 2, 3, 4, 5, 6, 7, 8]);
const selfTestB = Float32Array.from([2, 2, 2, 2, 0.5, 0.5, 0.5, -1]);

/** Runs the self-test graph on one provider. Resolves with an error message, or undefined when it passed. */
export async function selfTest(name: ProviderName): Promise<string | undefined> {
  let session: ort.InferenceSession | undefined;
  try {
    session = await ort.InferenceSession.create(buildSelfTestGraph(), {
      executionProviders: [name],
      graphOptimizationLevel: 'all',
      logSeverityLevel: 4,
    });
    const feeds = {
      a: new ort.Tensor('float32', selfTestA, [1, 8]),
      b: new ort.Tensor('float32', selfTestB, [1, 8]),
    };
    const result = await session.run(feeds);
    const y = result.y?.data;
    if (!(y instanceof Float32Array) || y.length !== 8) return 'self-test returned no float32 [1,8] output';
    for (let i = 0; i < 8; i++) {
      const expected = (selfTestA[i]! + selfTestB[i]!) * selfTestB[i]!;
      if (Math.abs(y[i]! - expected) > 1e-3) {
        return `self-test output wrong at ${i}: ${y[i]} instead of ${expected}`;
      }
    }
    return undefined;
  } catch (error) {
    return oneLine(error);
  } finally {
    await session?.release();
  }
}

let cached: Promise<PreflightReport> | undefined;

/**
 * Tests every provider this platform ships and reports which work. Cached for the life of the process (a provider
 * does not start working later); pass `refresh` to run it again.
 */
export function preflight(options: { refresh?: boolean } = {}): Promise<PreflightReport> {
  if (!cached || options.refresh) cached = runPreflight();
  return cached;
}

async function runPreflight(): Promise<PreflightReport> {
  const platform = process.platform;
  const arch = process.arch;
  const backends = ort.listSupportedBackends();
  const binaryDir = ortBinaryDir(platform, arch);
  const providers: ProviderStatus[] = [];
  for (const name of providerPreference) {
    const avail = availability(name, backends, platform, arch, binaryDir);
    if (!avail.shipped) {
      providers.push({ name, shipped: false, ok: false, reason: avail.reason ?? 'not available' });
      continue;
    }
    const started = performance.now();
    const failure = await selfTest(name);
    const ms = Math.round((performance.now() - started) * 10) / 10;
    const software = name === 'webgpu' && platform === 'linux' ? linuxSoftwareAdapter() : undefined;
    providers.push(
      failure !== undefined
        ? { name, shipped: true, ok: false, reason: failure, ms }
        : software !== undefined
          ? { name, shipped: true, ok: true, ms, software, reason: softwareReason(software) }
          : { name, shipped: true, ok: true, ms },
    );
  }
  const auto = autoProvider(providers);
  if (!auto) {
    const why = providers.map((p) => `${p.name}: ${p.reason ?? 'failed'}`).join('; ');
    throw new IirError('unsupported_provider', `no ONNX Runtime execution provider works on this machine (${why})`);
  }
  const notes: string[] = [];
  const cuda = providers.find((p) => p.name === 'cuda');
  if (platform === 'linux' && arch === 'x64' && cuda && !cuda.ok) {
    notes.push(
      `CUDA is not available (${cuda.reason ?? 'failed'}); on an NVIDIA GPU the CUDA provider is about 20x faster ` +
        `than WebGPU, running on ${auto} instead`,
    );
  }
  return { platform, arch, providers, auto, notes };
}

/** Why a working software adapter is passed over by `auto`. */
export function softwareReason(renderer: string): string {
  return `software adapter (${renderer}): slower than the CPU provider, used only when chosen`;
}

/** The provider `auto` picks: the first working one that is not a software adapter, else the first working one. */
export function autoProvider(providers: readonly ProviderStatus[]): ProviderName | undefined {
  return (providers.find((p) => p.ok && p.software === undefined) ?? providers.find((p) => p.ok))?.name;
}

/**
 * Picks the provider for `role`: the role's pin, else the default, else `auto`. A pinned provider that did not pass
 * pre-flight is never used: the choice falls to the next working provider in preference order after it (then any
 * working one), and the reason is recorded in `fallbacks`.
 */
export function chooseProvider(
  report: PreflightReport,
  settings: ProviderSettings,
  role: ProviderRole,
): ProviderDecision {
  const requested = settings.perRole?.[role] ?? settings.default;
  if (requested === 'auto') {
    const fallbacks = report.providers
      .slice(
        0,
        report.providers.findIndex((p) => p.name === report.auto),
      )
      .map((p) => `${p.name}: ${p.reason ?? 'failed'}`);
    return { provider: report.auto, requested, fallbacks };
  }
  const status = report.providers.find((p) => p.name === requested);
  if (status?.ok) return { provider: requested, requested, fallbacks: [] };
  const fallbacks = [`${requested}: ${status?.reason ?? 'not available'}`];
  const start = providerPreference.indexOf(requested);
  const next = report.providers.slice(start + 1).find((p) => p.ok) ?? report.providers.find((p) => p.ok) ?? undefined;
  return { provider: next?.name ?? report.auto, requested, fallbacks };
}

/**
 * The providers to try, in order, for a session of `role`: the chosen one first, then every other working provider
 * below it in preference order (CPU last). Used by the session factory when a real model fails on a provider.
 */
export function providerFallbackChain(report: PreflightReport, decision: ProviderDecision): ProviderName[] {
  const working = report.providers.filter((p) => p.ok).map((p) => p.name);
  const start = providerPreference.indexOf(decision.provider);
  return [decision.provider, ...working.filter((name) => providerPreference.indexOf(name) > start)];
}
