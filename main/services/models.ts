import type { LicenseInfo, ModelProgress, Settings } from '../../shared/api';
import { CancelledError, IirError, invalidArgument, isIirError } from '../../shared/errors';
import { catalogListing, licenseOf, loadCatalogs, modelBytes, resolveTargets } from '../models/catalog';
import type { ModelRole } from '../models/catalogSchema';
import { checkContract } from '../models/contract';
import { hubFromEnv } from '../models/http';
import { licenseTextHash, pendingLicenses, recordAccepted } from '../models/licenses';
import { type ImportMode, diskUsage, folderUsage, importModel, removeModel, verifyModel } from '../models/manage';
import { resolveModelsDir } from '../models/modelSettings';
import { deletePartial } from '../models/partials';
import { type PullEvent, type PullHandle, startPull } from '../models/pull';
import { listInstalled, modelDir, verification } from '../models/receipt';
import { fp32VariantId, makeFp32Variant } from '../models/widenModel';
import { holdsFloat16 } from '../models/widenProbe';
import { QuantizeRuns } from './modelQuantize';

/**
 * Model management for the app and serve mode: the model manager's functions (main/models) bound to the current
 * settings, with pulls running in main (network and hashing are asynchronous) and progress sent as events.
 */
export class ModelService {
  private readonly pulls = new Map<string, PullHandle>();
  private readonly quantizing: QuantizeRuns;
  private readonly widening: QuantizeRuns;

  constructor(
    private readonly settings: () => Settings,
    private readonly emitProgress: (progress: ModelProgress) => void,
    private readonly log: (message: string, error?: unknown) => void = () => undefined,
    private readonly env: NodeJS.ProcessEnv = process.env,
  ) {
    this.quantizing = new QuantizeRuns(emitProgress, log);
    this.widening = new QuantizeRuns(emitProgress, log, { variantId: fp32VariantId, make: makeFp32Variant });
  }

  /** Starts making the fp32 variant of installed fp16 model `id` (main/models/widenModel.ts). */
  widen(id: string): Promise<{ started: string }> {
    return this.widening.start(this.modelsDir(), id);
  }

  /** Starts making the int8 variant of installed model `id` (services/modelQuantize.ts). */
  quantize(id: string): Promise<{ started: string }> {
    return this.quantizing.start(this.modelsDir(), id);
  }

  /** The models folder: `IIR_MODELS_DIR`, then the settings, then `<userData>/models`. */
  modelsDir(): string {
    const { modelsDir, catalogs, hubToken } = this.settings();
    return resolveModelsDir(undefined, { modelsDir, catalogs, hubToken }, this.env);
  }

  async catalog() {
    const catalog = await loadCatalogs(this.settings().catalogs);
    const installed = new Set((await listInstalled(this.modelsDir())).map((model) => model.id));
    return catalogListing(catalog, installed);
  }

  async installed() {
    const models = await listInstalled(this.modelsDir());
    const fp16 = await Promise.all(models.map((model) => holdsFloat16(model.dir, model.receipt)));
    return {
      models: models.map((model, i) => ({
        id: model.id,
        role: model.receipt.role,
        path: model.dir,
        bytes: model.receipt.files.reduce((sum, file) => sum + file.bytes, 0),
        linked: model.receipt.location !== null,
        verification: verification(model.receipt),
        ...(model.receipt.derived?.method === 'int8-weight-only' ? { int8Of: model.receipt.derived.from } : {}),
        ...(model.receipt.derived?.method === 'fp32-widen' ? { fp32Of: model.receipt.derived.from } : {}),
        ...(fp16[i] ? { fp16: true } : {}),
      })),
    };
  }

  /** The licences of the models (and bundles) `ids` that are not installed yet, as the user must be shown them. */
  async licenses(ids: readonly string[]): Promise<{ licenses: LicenseInfo[] }> {
    const modelsDir = this.modelsDir();
    const catalog = await loadCatalogs(this.settings().catalogs);
    const installed = new Set((await listInstalled(modelsDir)).map((model) => model.id));
    const todo = resolveTargets(catalog, ids).filter((model) => !installed.has(model.id));
    const all = [...new Map(todo.map((model) => licenseOf(catalog, model)).map((l) => [l.id, l])).values()];
    const pending = new Set((await pendingLicenses(modelsDir, all)).map((l) => l.id));
    return {
      licenses: all.map((l) => ({
        id: l.id,
        name: l.name,
        url: l.url,
        summary: l.summary,
        restrictions: l.restrictions ?? [],
        sha256: licenseTextHash(l),
        accepted: !pending.has(l.id),
      })),
    };
  }

  /** Records licences the user accepted; each hash must be that of the text the catalog has now. */
  async acceptLicenses(accepted: readonly { id: string; sha256: string }[]): Promise<{ accepted: string[] }> {
    const catalog = await loadCatalogs(this.settings().catalogs);
    const licenses = accepted.map(({ id, sha256 }) => {
      const license = catalog.licenses.find((l) => l.id === id);
      if (!license) throw invalidArgument(`no licence "${id}" in the catalog`);
      if (licenseTextHash(license) !== sha256) {
        throw invalidArgument(`the ${license.name} licence changed since it was shown; read it again`);
      }
      return license;
    });
    await recordAccepted(this.modelsDir(), licenses);
    return { accepted: licenses.map((l) => l.id) };
  }

  /**
   * Starts pulling models and bundles; answers the model ids started (ones already pulling are skipped). Refused
   * while the user has not accepted a licence they need (see {@link licenses}).
   */
  async pull(ids: readonly string[]): Promise<{ started: string[] }> {
    const modelsDir = this.modelsDir();
    const catalog = await loadCatalogs(this.settings().catalogs);
    const targets = resolveTargets(catalog, ids);
    const licenses = targets.map((model) => licenseOf(catalog, model));
    const pending = await pendingLicenses(modelsDir, licenses);
    if (pending.length > 0) {
      throw invalidArgument(`accept the licence first: ${pending.map((l) => `${l.name} (${l.url})`).join(', ')}`);
    }
    const hub = hubFromEnv(this.env, this.settings().hubToken);
    const started: string[] = [];
    for (const model of targets) {
      if (this.pulls.has(model.id)) continue;
      let total = modelBytes(model).bytes;
      /** The bytes done at the last progress event. */
      let kept = 0;
      const handle = startPull({
        modelsDir,
        model,
        license: licenseOf(catalog, model),
        hub,
        progressIntervalMs: 250,
        onEvent: (event) => {
          if (event.type === 'start') total = event.totalBytes;
          const progress = toProgress(event, total);
          if (progress) kept = Math.max(kept, progress.bytesDone);
          if (progress) this.emitProgress(progress);
        },
      });
      this.pulls.set(model.id, handle);
      started.push(model.id);
      handle.done
        .catch((error: unknown) => this.stopped(modelsDir, model.id, total, kept, error))
        .finally(() => this.pulls.delete(model.id));
    }
    return { started };
  }

  /** Says how a pull ended early, with the bytes its folder keeps for resuming (never 0 when some are kept). */
  private async stopped(modelsDir: string, id: string, total: number, kept: number, error: unknown): Promise<void> {
    const state = error instanceof CancelledError && error.message === 'paused' ? 'paused' : 'cancelled';
    const isCancel = isIirError(error) && error.code === 'cancelled';
    if (!isIirError(error)) this.log(`pull of ${id} failed`, error);
    const onDisk = (await folderUsage(modelDir(modelsDir, id))).total;
    this.emitProgress({
      ...emptyProgress(id, total),
      bytesDone: Math.max(kept, onDisk),
      state: isCancel ? state : 'failed',
      message: isCancel ? null : isIirError(error) ? error.message : 'the download failed; see the log',
    });
  }

  pause(id: string): { wasActive: boolean } {
    const handle = this.pulls.get(id);
    handle?.pause();
    return { wasActive: handle !== undefined };
  }

  cancel(id: string): { wasActive: boolean } {
    const handle = this.pulls.get(id);
    handle?.cancel();
    return { wasActive: handle !== undefined || this.quantizing.cancel(id) || this.widening.cancel(id) };
  }

  async import(source: string, id: string, role: ModelRole | undefined, mode: ImportMode) {
    const modelsDir = this.modelsDir();
    const catalog = await loadCatalogs(this.settings().catalogs);
    const receipt = await importModel({ modelsDir, source, id, mode, catalog, ...(role ? { role } : {}) });
    const installed = (await listInstalled(modelsDir)).find((model) => model.id === receipt.id);
    return {
      id: receipt.id,
      role: receipt.role,
      path: installed?.dir ?? source,
      bytes: receipt.files.reduce((sum, file) => sum + file.bytes, 0),
      linked: receipt.location !== null,
      verification: verification(receipt),
    };
  }

  /**
   * Re-hashes each model (all installed when `id` is undefined) against its receipt and checks it against its role's
   * tensor contract: a model that fails either is not ok, with the reason among its problems.
   */
  async verify(id: string | undefined) {
    const modelsDir = this.modelsDir();
    const catalog = await loadCatalogs(this.settings().catalogs);
    const installed = await listInstalled(modelsDir);
    const ids = id === undefined ? installed.map((model) => model.id) : [id];
    const results = [];
    for (const modelId of ids) {
      const result = await verifyModel(modelsDir, modelId);
      const model = installed.find((entry) => entry.id === modelId);
      const contract = model ? catalog.roles[model.receipt.role] : undefined;
      const problem =
        model && contract
          ? await checkContract(model.dir, contract, modelId).then(
              () => null,
              (error: unknown) => (isIirError(error) ? error.message : `${modelId}: its files could not be checked`),
            )
          : null;
      results.push(problem ? { ...result, ok: false, problems: [...result.problems, problem] } : result);
    }
    return { results };
  }

  async remove(id: string): Promise<{ removed: boolean }> {
    if (this.pulls.has(id)) throw new IirError('invalid_argument', `${id} is downloading: cancel the download first`);
    await removeModel(this.modelsDir(), id);
    return { removed: true };
  }

  /** Deletes what a stopped download of `id` left; refused while it downloads. */
  async deletePartial(id: string): Promise<{ freedBytes: number; remaining: number }> {
    if (this.pulls.has(id)) throw invalidArgument(`${id} is downloading: pause or cancel it first`);
    const model = (await loadCatalogs(this.settings().catalogs)).models.find((entry) => entry.id === id);
    if (!model) throw invalidArgument(`${id} is not a catalog model: only what its downloads left can be deleted here`);
    return deletePartial(
      this.modelsDir(),
      id,
      model.files.map((file) => file.path),
    );
  }

  async diskUsage() {
    const usage = await diskUsage(this.modelsDir());
    return {
      folder: usage.folder,
      models: usage.models.map(({ id, bytes, partialBytes, installed }) => ({ id, bytes, partialBytes, installed })),
      partialBytes: usage.partialBytes,
      totalBytes: usage.totalBytes,
      freeBytes: usage.freeBytes,
    };
  }

  /** Pauses every download (shutdown: the partial files stay for the next start). */
  pauseAll(): void {
    for (const handle of this.pulls.values()) handle.pause();
  }
}

function emptyProgress(modelId: string, total: number): ModelProgress {
  return {
    modelId,
    state: 'downloading',
    file: null,
    bytesDone: 0,
    bytesTotal: total,
    bytesPerSecond: 0,
    etaSeconds: null,
    message: null,
  };
}

function toProgress(event: PullEvent, total: number): ModelProgress | null {
  switch (event.type) {
    case 'start':
      return emptyProgress(event.modelId, event.totalBytes);
    case 'progress':
      return {
        ...emptyProgress(event.modelId, event.totalBytes),
        file: event.file,
        bytesDone: event.doneBytes,
        bytesPerSecond: event.bytesPerSecond,
        etaSeconds: event.etaSeconds,
      };
    case 'verifying':
      return { ...emptyProgress(event.modelId, total), state: 'verifying', file: event.file };
    case 'done':
      return { ...emptyProgress(event.modelId, total), state: 'done', bytesDone: total };
    default:
      return null;
  }
}
