import { resolve } from 'node:path';
import { startServe } from '../../server/run';
import { defineCommand } from '../command';
import { modelsOption } from '../modelsOption';

/** `iir serve`: the editor in a browser, backed by this machine's runtime. */
export const serveCommand = defineCommand({
  name: 'serve',
  summary: 'serve the editor to a browser (HTTP + WebSocket API on 127.0.0.1 with a token)',
  description:
    'Runs the app without Electron: the built renderer (npm run build) over HTTP and the same API over a\n' +
    'WebSocket at /api. The first line on stdout is the URL with its random token; every request needs the\n' +
    'token. It binds 127.0.0.1 unless --host asks for another address. Ctrl-C stops it.\n' +
    'With --queue, it is the coordinator of remote workers (iir worker): the browser\u2019s edits and searches run on\n' +
    'the fastest free worker that has their models, with the same token rules; the address is never printed with\n' +
    'its password.',
  positionals: [],
  options: {
    port: {
      type: 'number',
      valueName: 'n',
      integer: true,
      min: 0,
      max: 65535,
      default: 0,
      description: 'TCP port (0 picks a free one)',
    },
    host: {
      type: 'string',
      valueName: 'addr',
      default: '127.0.0.1',
      description: 'address to bind; anything but loopback is announced with a warning',
    },
    open: { type: 'boolean', description: 'open the URL in the default browser' },
    ...modelsOption,
    queue: {
      type: 'string',
      valueName: 'redis://…',
      description: 'run edits on the workers of this Redis queue (redis://[user:password@]host:port[/db], rediss://)',
    },
    'user-data': {
      type: 'string',
      valueName: 'dir',
      description: 'settings, logs and the default models folder (default: IIR_USER_DATA, then the app\u2019s own)',
    },
  },
  examples: [
    'serve',
    'serve --port 8080 --open',
    'serve --models fixtures/ --user-data /tmp/iir-try',
    'serve --queue redis://:secret@gpu-box:6379',
  ],
  async run({ options }, context) {
    const { stop } = await startServe({
      host: options.host,
      port: options.port,
      open: options.open,
      env: {
        ...context.env,
        ...(options.models ? { IIR_MODELS_DIR: resolve(options.models) } : {}),
        ...(options['user-data'] ? { IIR_USER_DATA: resolve(options['user-data']) } : {}),
      },
      log: (message) => context.log(message),
      ...(options.queue === undefined ? {} : { queue: options.queue }),
      printUrl: (url) => context.stdout.write(`${url}\n`),
    });
    await new Promise<void>((resolve) => {
      if (context.signal.aborted) resolve();
      else context.signal.addEventListener('abort', () => resolve(), { once: true });
    });
    await stop();
  },
});
