import type { Handlers } from '../ipc/handlers';
import type { SheetBatches } from '../batch/sheet';
import type { RemoteWorkersService } from './remoteService';

type Pick_<K extends keyof Handlers> = Pick<Handlers, K>;

/** `remote:*`: the editor's queue of remote workers (the address is checked here; its password never goes back). */
export function createRemoteHandlers(
  remote: RemoteWorkersService,
): Pick_<'remote:connect' | 'remote:disconnect' | 'remote:workers'> {
  return {
    'remote:connect': ({ url, password }) => remote.connect(url, password === undefined ? {} : { password }),
    'remote:disconnect': () => remote.disconnect(),
    'remote:workers': () => remote.state(),
  };
}

/** `batch:*`: the Batch sheet's batches (made on first use). */
export function createBatchHandlers(
  make: () => SheetBatches,
): Pick_<'batch:start' | 'batch:pause' | 'batch:resume' | 'batch:cancel' | 'batch:supply' | 'batch:open'> {
  let made: SheetBatches | undefined;
  const batches = (): SheetBatches => (made ??= make());
  return {
    'batch:start': async (request) => ({ batchId: await batches().start(request) }),
    'batch:pause': ({ batchId }) => ({ state: batches().pause(batchId) }),
    'batch:resume': ({ batchId }) => ({ state: batches().resume(batchId) }),
    'batch:cancel': ({ batchId }) => ({ state: batches().cancel(batchId) }),
    'batch:supply': (request) => batches().supply(request),
    'batch:open': (request) => batches().open(request),
  };
}
