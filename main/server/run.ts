import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { forkLauncher } from '../engine/process/launcher';
import { isLoopbackHost } from '../loopback';
import { userDataDir } from '../paths';
import { type AppServices, createAppServices } from '../services/app';
import { type RunningServer, startServer } from './server';

/** The built renderer, as `npm run build` leaves it. */
export const builtRendererDir = join(import.meta.dirname, '..', '..', 'out', 'renderer');

/** Options of {@link runServe}. */
export interface ServeOptions {
  readonly host: string;
  readonly port: number;
  readonly open: boolean;
  readonly env: NodeJS.ProcessEnv;
  readonly rendererDir?: string;
  /** Lines for the user (the URL goes to `printUrl`). */
  readonly log: (message: string) => void;
  readonly printUrl: (url: string) => void;
  /** Opens a URL in the browser (default: the platform's opener). Given only one-time URLs, never the token. */
  readonly openBrowser?: (url: string) => void;
  /** A Redis queue: edits and searches run on its workers (serve mode as the coordinator). */
  readonly queue?: string;
}

/** Starts serve mode: the main-process services without Electron, the renderer over HTTP, the API over /api. */
export async function startServe(
  options: ServeOptions,
): Promise<{ server: RunningServer; services: AppServices; stop: () => Promise<void> }> {
  const rendererDir = options.rendererDir ?? builtRendererDir;
  const dataDir = userDataDir(options.env);
  const services = await createAppServices({
    userDataDir: dataDir,
    launcher: forkLauncher(undefined, options.env),
    env: options.env,
  });
  if (options.queue !== undefined) {
    // Checked before listening: a wrong address or password is one line, and nothing is served.
    // The command line's queue wins over a remembered one, for this run only: it is not remembered.
    const state = await services.remote.connect(options.queue, { remember: false }).catch(async (error: unknown) => {
      await services.dispose();
      throw error;
    });
    options.log(`edits run on the workers of ${state.queue} (${state.workers.length} live now)`);
  } else {
    // The queue remembered from the editor, in the background (serve mode keeps no password: it asks for it).
    services.remote.resume();
  }
  const server = await startServer({
    host: options.host,
    port: options.port,
    rendererDir,
    router: services.router,
    emitter: services.emitter,
    imagePng: (id) => services.images.png(id),
    log: (message) => services.log.warn(message),
    onAllClientsGone: () => services.images.clear(),
  });
  options.printUrl(server.url);
  if (!isLoopbackHost(options.host)) {
    options.log(
      `warning: serving on ${options.host}, reachable from other machines; anyone with the URL (and its token) ` +
        'can use this computer’s files through IIR Studio',
    );
  }
  if (!existsSync(join(rendererDir, 'index.html'))) {
    options.log(
      `warning: the editor is not built (${rendererDir} is missing): run \`npm run build\`, then serve again`,
    );
  }
  for (const notice of services.startupNotices) options.log(notice);
  // The opener's command line is readable by every local user (/proc): it gets a one-time URL, not the token.
  if (options.open) (options.openBrowser ?? openBrowser)(server.oneTimeUrl());
  return {
    server,
    services,
    stop: async () => {
      await server.close();
      await services.dispose();
    },
  };
}

function openBrowser(url: string): void {
  const [command, args] =
    process.platform === 'darwin'
      ? ['open', [url]]
      : process.platform === 'win32'
        ? ['cmd', ['/c', 'start', '""', url]]
        : ['xdg-open', [url]];
  const child = spawn(command, args, { stdio: 'ignore', detached: true });
  child.on('error', () => undefined);
  child.unref();
}
