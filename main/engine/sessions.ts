/**
 * The session factory: creates ONNX Runtime sessions on the provider chosen per model role, falls back down the
 * preference list when a real model fails to load on it (recording why), and in low-memory mode keeps only the
 * current stage's sessions alive.
 */
import { existsSync } from 'node:fs';
import { sep } from 'node:path';
import ort from 'onnxruntime-node';
import { IirError } from '../../shared/errors';
import { graphBytes, graphInventory } from './modelFiles';
import {
  chooseProvider,
  oneLine,
  providerFallbackChain,
  type ProviderRole,
  type PreflightReport,
  type ProviderName,
  type ProviderSettings,
} from './providers';
import { modelSource } from './modelSource';
import { cacheEntry, commitEntry, dropEntry, partialDir, writeOptions } from './sessionCache';
import { threadSessionOptions } from './threads';

/** A loaded session and the provider it actually runs on. */
export interface LoadedSession {
  readonly role: ProviderRole;
  readonly path: string;
  readonly session: ort.InferenceSession;
  readonly provider: ProviderName;
  /** Providers passed over for this session and why (pre-flight failures and load failures). */
  readonly fallbacks: readonly string[];
  readonly loadMs: number;
  /** False when the graph draws random numbers the engine cannot seed (same seed, other output). */
  readonly deterministic: boolean;
  /** The CPU arena returns its free memory after every run (models run once per edit; low-memory mode). */
  readonly shrinkArena: boolean;
  /** What was done to, or is wrong with, the graph's determinism (one line each). */
  readonly notes: readonly string[];
  /** Loaded from the optimized-graph cache (sessionCache.ts). */
  readonly cached: boolean;
}

export interface SessionFactoryOptions {
  readonly report: PreflightReport;
  readonly settings: ProviderSettings;
  /** CPU arena off; combined with {@link ModelSessions} releasing each stage after use (memoryPlan.ts). */
  readonly lowMemory?: boolean;
  /** Roles released as soon as their stage ends even when not in low-memory mode (the text and VAE encoders). */
  readonly releaseAfterUse?: readonly ProviderRole[];
  /** The CPU arena (default on; off in low-memory mode whatever this says). */
  readonly cpuArena?: boolean;
  /** Where CPU sessions cache their optimized graphs (sessionCache.ts); none when undefined. */
  readonly cacheDir?: string;
  /** ONNX Runtime keeps no pre-packed second copy of the weights (`session.disable_prepacking`). */
  readonly disablePrepacking?: boolean;
  /** ONNX Runtime's memory patterns (default on). */
  readonly memPattern?: boolean;
  /** The UNet's and ControlNet's attention in this many query slices (slicedAttention.ts; 1 or none: whole). */
  readonly attentionSlices?: number;
}

/** ONNX Runtime's session configuration entries: no pre-packed weights; a rewritten graph's weights folder. */
function configEntries(options: SessionFactoryOptions, weightsFolder?: string): Record<string, string> {
  return {
    ...(options.disablePrepacking ? { disable_prepacking: '1' } : {}),
    ...(weightsFolder !== undefined ? { model_external_initializers_file_folder_path: weightsFolder } : {}),
  };
}

/**
 * Whether a session uses ONNX Runtime's CPU arena: not in low-memory mode, not when the memory plan says so, and
 * never for an int8 variant's graph (`dequantizes`: it holds DequantizeLinear nodes, main/models/quantizeWrite.ts).
 * Such a graph dequantizes each Conv weight on every run: through the arena those transient fp32 copies kept the
 * real-scale ControlNet alone at 5.1 GiB after two runs at 512², 0.9 GiB without it.
 */
export function usesCpuArena(options: Pick<SessionFactoryOptions, 'lowMemory' | 'cpuArena'>, dequantizes: boolean) {
  return !(options.lowMemory ?? false) && (options.cpuArena ?? true) && !dequantizes;
}

/** What a session's graph needs: where a rewritten graph's weights are, whether it dequantizes int8 weights. */
export interface GraphTraits {
  readonly weightsFolder?: string;
  readonly dequantizes?: boolean;
}

/** The options every session of `role` on `provider` is created with (exported for tests). */
export function sessionOptions(
  provider: ProviderName,
  options: SessionFactoryOptions,
  role: ProviderRole,
  graph: GraphTraits = {},
): ort.InferenceSession.SessionOptions {
  const session = configEntries(options, graph.weightsFolder);
  return {
    executionProviders: [provider],
    ...threadSessionOptions(options.settings.threads),
    graphOptimizationLevel: 'all',
    // The CPU arena is off in low-memory mode and when the plan says so (memoryPlan.ts): with it on (shrinking after
    // every run) an edit at 512² peaked at 9.8 GiB, the arena's power-of-two growth overshooting. Memory patterns
    // stay on: without them, freed blocks fragment and the process grew by 0.3–0.5 GiB per UNet run at 512²; with
    // them, each run takes one planned block and gives it back.
    enableCpuMemArena: usesCpuArena(options, graph.dequantizes ?? false),
    enableMemPattern: options.memPattern ?? true,
    logSeverityLevel: 3,
    ...(Object.keys(session).length > 0 ? { extra: { session } } : {}),
    // WebGPU: the ControlNet's residuals stay on the device and feed the UNet there (no round trip through JS)
    ...(provider === 'webgpu' && role === 'controlnet' ? { preferredOutputLocation: 'gpu-buffer' as const } : {}),
  };
}

/**
 * A session for `path`: from the optimized-graph cache in `cacheDir` when there, else optimized now (and written to
 * the cache when `cacheDir` is given). A cache that cannot be read or written is dropped, never an error.
 */
async function openSession(
  path: string,
  settings: ort.InferenceSession.SessionOptions,
  cacheDir: string | undefined,
): Promise<{ session: ort.InferenceSession; cached: boolean }> {
  const entry = cacheDir ? await cacheEntry(cacheDir, path).catch(() => undefined) : undefined;
  if (!entry) return { session: await ort.InferenceSession.create(path, settings), cached: false };
  if (entry.exists) {
    try {
      const optimized = { ...settings, graphOptimizationLevel: 'disabled' as const };
      return { session: await ort.InferenceSession.create(entry.model, optimized), cached: true };
    } catch {
      await dropEntry(entry.dir);
    }
  }
  const written = await partialDir(entry).catch(() => undefined);
  if (!written) return { session: await ort.InferenceSession.create(path, settings), cached: false };
  try {
    const session = await ort.InferenceSession.create(path, { ...settings, ...writeOptions(written) });
    await commitEntry(entry, written, await graphBytes(path)).catch(() => dropEntry(written));
    return { session, cached: false };
  } catch (error) {
    await dropEntry(written);
    throw error;
  }
}

/**
 * Creates a session for the model file at `path` (a real directory path, so ONNX Runtime finds external weight
 * files such as `weights.pb` or `model.onnx_data` beside it).
 */
export async function createSession(
  path: string,
  role: ProviderRole,
  options: SessionFactoryOptions,
): Promise<LoadedSession> {
  if (path.includes(`.asar${sep}`)) {
    throw new IirError('internal', `model ${path} is inside an asar archive; ONNX Runtime needs a real folder`);
  }
  if (!existsSync(path)) throw new IirError('model_missing', `model file not found: ${path}`);
  const decision = chooseProvider(options.report, options.settings, role);
  const fallbacks = [...decision.fallbacks];
  const started = performance.now();
  const { source, weightsFolder, deterministic, notes } = await modelSource(path, role, options.attentionSlices);
  const inventory = await graphInventory(path).catch(() => undefined);
  const dequantizes = inventory?.opTypes.includes('DequantizeLinear') ?? false;
  for (const provider of providerFallbackChain(options.report, decision)) {
    try {
      const settings = sessionOptions(provider, options, role, {
        dequantizes,
        ...(weightsFolder ? { weightsFolder } : {}),
      });
      const cacheDir = provider === 'cpu' && typeof source === 'string' ? options.cacheDir : undefined;
      const { session, cached } =
        typeof source === 'string'
          ? await openSession(source, settings, cacheDir)
          : { session: await ort.InferenceSession.create(source, settings), cached: false };
      const loadMs = performance.now() - started;
      const shrinkArena = (options.lowMemory ?? false) || !['unet', 'controlnet'].includes(role);
      return { role, path, session, provider, fallbacks, loadMs, deterministic, notes, shrinkArena, cached };
    } catch (error) {
      const reason = oneLine(error);
      if (/protobuf parsing failed|invalid model|load model .* failed|no such file/i.test(reason)) {
        throw new IirError('model_missing', `cannot load ${path}: ${reason}`);
      }
      fallbacks.push(`${provider}: ${reason}`);
    }
  }
  throw new IirError('unsupported_provider', `cannot load ${path} on any provider (${fallbacks.join('; ')})`);
}

/**
 * The sessions of one model set, created on first use. With `lowMemory`, {@link ModelSessions.done} releases a
 * stage's sessions as soon as the stage ends so at most one stage's weights are resident; otherwise sessions stay
 * loaded for the next edit until {@link ModelSessions.releaseAll}, except the `releaseAfterUse` roles.
 */
export class ModelSessions {
  private readonly loaded = new Map<ProviderRole, Promise<LoadedSession>>();
  /** Every session ever loaded here, by role: what ran where (for the recipe), kept after release. */
  readonly history = new Map<
    ProviderRole,
    { provider: ProviderName; fallbacks: readonly string[]; path: string; deterministic: boolean; notes: string[] }
  >();

  /** Every session created here: role, creation time and whether it came from the optimized-graph cache. */
  readonly loads: { readonly role: ProviderRole; readonly ms: number; readonly cached: boolean }[] = [];

  constructor(
    private readonly paths: Partial<Record<ProviderRole, string>>,
    private readonly options: SessionFactoryOptions,
  ) {}

  get lowMemory(): boolean {
    return this.options.lowMemory ?? false;
  }

  /** The session for `role`, loading it if needed. */
  get(role: ProviderRole): Promise<LoadedSession> {
    let pending = this.loaded.get(role);
    if (!pending) {
      const path = this.paths[role];
      if (path === undefined) throw new IirError('internal', `no model file configured for ${role}`);
      pending = createSession(path, role, this.options).then((loaded) => {
        const { provider, fallbacks, deterministic, notes } = loaded;
        this.history.set(role, { provider, fallbacks, path, deterministic, notes: [...notes] });
        this.loads.push({ role, ms: loaded.loadMs, cached: loaded.cached });
        return loaded;
      });
      pending.catch(() => this.loaded.delete(role));
      this.loaded.set(role, pending);
    }
    return pending;
  }

  /** The roles currently holding a session. */
  loadedRoles(): ProviderRole[] {
    return [...this.loaded.keys()];
  }

  /** Ends a stage: its sessions are released in low-memory mode, or those the plan releases after use. */
  async done(...roles: ProviderRole[]): Promise<void> {
    const after = this.options.releaseAfterUse ?? [];
    await this.release(this.lowMemory ? roles : roles.filter((role) => after.includes(role)));
  }

  /** Releases the given roles' sessions now. */
  async release(roles: readonly ProviderRole[]): Promise<void> {
    for (const role of roles) {
      const pending = this.loaded.get(role);
      if (!pending) continue;
      this.loaded.delete(role);
      const loaded = await pending.catch(() => undefined);
      await loaded?.session.release();
    }
  }

  /** Releases every session. */
  releaseAll(): Promise<void> {
    return this.release([...this.loaded.keys()]);
  }
}
