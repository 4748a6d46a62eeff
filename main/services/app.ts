import { join } from 'node:path';
import { removeLeftoverBatchFolders } from '../batch/sheetPhotos';
import { ProjectService } from '../projects/projectService';
import type { EngineLauncher } from '../engine/process/launcher';
import { type Emitter, createEmitter } from '../ipc/emitter';
import { type Router, createRouter } from '../ipc/router';
import { EnginePool } from './engines';
import { type HandlerServices, createHandlers } from './handlers';
import { ImageStore } from './images';
import { JobQueue } from './jobs';
import { type Logger, createFileLogger } from './logs';
import { ModelService } from './models';
import { SettingsStore } from './settings';
import { QueueMemory, type SecretBox } from '../queue/queueMemory';
import { RemoteWorkersService } from '../queue/remoteService';

/** What the Electron main process and serve mode share. */
export interface AppServices {
  readonly emitter: Emitter;
  readonly router: Router;
  readonly images: ImageStore;
  readonly jobs: JobQueue;
  readonly engines: EnginePool;
  readonly models: ModelService;
  readonly settings: SettingsStore;
  /** The remote workers the editor's jobs run on, when connected. */
  readonly remote: RemoteWorkersService;
  readonly log: Logger;
  /** Messages for the user raised while starting (a settings file was reset), to show once a window listens. */
  readonly startupNotices: readonly string[];
  /** Cancels jobs, pauses downloads and stops the engine processes. */
  dispose(): Promise<void>;
}

/** Options of {@link createAppServices}. */
export interface AppServicesOptions {
  readonly userDataDir: string;
  /** How engine processes start (`forkLauncher()` under Node, `utilityLauncher()` under Electron). */
  readonly launcher: EngineLauncher;
  readonly logger?: Logger;
  readonly env?: NodeJS.ProcessEnv;
  /** How long a cancelled task may take to stop before its engine process is killed. */
  readonly cancelGraceMs?: number;
  /** Seals the remembered queue's password (Electron's safeStorage); none: the password is never kept. */
  readonly secrets?: SecretBox;
  /** The native save dialog (Electron only). */
  readonly showSaveDialog?: HandlerServices['showSaveDialog'];
}

/** Builds the main-process services over one user-data folder. */
export async function createAppServices(options: AppServicesOptions): Promise<AppServices> {
  const emitter = createEmitter();
  const log = options.logger ?? createFileLogger(options.userDataDir);
  const notices: string[] = [];
  const settings = await SettingsStore.open(options.userDataDir, (message) => {
    log.warn(message);
    notices.push(message);
  });
  const images = new ImageStore();
  const engines = new EnginePool(options.launcher, options.cancelGraceMs, (message) => log.error(`engine: ${message}`));
  const jobs = new JobQueue({
    emit: (event) => emitter.emit('jobs:event', event),
    log: (message, error) => log.error(message, error),
  });
  const models = new ModelService(
    () => settings.get(),
    (progress) => emitter.emit('models:progress', progress),
    (message, error) => log.error(message, error),
    options.env,
  );
  const remote = new RemoteWorkersService({
    memory: new QueueMemory(settings, options.secrets ?? null),
    log: (message) => log.warn(`remote workers: ${message}`),
  });
  // The Batch sheet's finished photos live in the user-data folder (not /tmp, which can be RAM); a batch the app was
  // killed in the middle of left its folder there, removed in the background.
  const batchFolder = join(options.userDataDir, 'batches');
  void removeLeftoverBatchFolders(batchFolder).then(
    (removed) => removed.length > 0 && log.info(`removed ${removed.length} batch folder(s) left by an earlier run`),
    (error: unknown) => log.warn(`could not remove old batch folders: ${String(error)}`),
  );
  const router = createRouter(
    createHandlers({
      remote,
      emitter,
      images,
      jobs,
      engines,
      models,
      settings,
      projects: new ProjectService(images, options.userDataDir),
      batchFolder,
      ...(options.showSaveDialog ? { showSaveDialog: options.showSaveDialog } : {}),
    }),
    (message, error) => log.error(message, error),
  );
  return {
    emitter,
    router,
    images,
    jobs,
    engines,
    models,
    settings,
    remote,
    log,
    startupNotices: notices,
    dispose: async () => {
      jobs.cancelAll();
      // Closing, not forgetting: the queue is reconnected at the next start.
      await remote.close();
      models.pauseAll();
      engines.dispose();
      await settings.flush();
    },
  };
}
