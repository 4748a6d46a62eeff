/**
 * The preload: exposes `window.iir`, the typed API grouped by domain, and `window.iirFiles` (a picked file's path),
 * nothing else. Every call goes to main's
 * one registrar, which validates it; answers are envelopes (`{ ok, value }` or `{ ok, error }`).
 */
import { type IpcRendererEvent, contextBridge, ipcRenderer, webUtils } from 'electron';
import type { Channel, Envelope, EventChannel, EventPayload, IirBridge, RequestInput, ResponseOf } from '../shared/api';
import { eventChannelList } from '../shared/api/eventNames';

function call<C extends Channel>(channel: C) {
  return (request: RequestInput<C>) => ipcRenderer.invoke(channel, request) as Promise<Envelope<ResponseOf<C>>>;
}

const bridge = {
  dialogs: {
    /** Shows the native save dialog; answers the chosen path (good for one `images.export`), or null if cancelled. */
    save: call('dialogs:save'),
  },
  images: {
    /** Opens an image from an absolute path or from bytes; answers its info (it becomes a document's original). */
    open: call('images:open'),
    /** Facts about a stored image (size, kind, alpha). */
    info: call('images:info'),
    /** Writes a stored image to the file the save dialog just chose, as PNG, JPEG, WebP or TIFF, with its recipe. */
    export: call('images:export'),
    /** Encodes a stored image as an export file's bytes (PNG, JPEG, WebP or TIFF, with its edit recipe). */
    encode: call('images:encode'),
    /** What exporting as a format cannot keep of the source (one line each), to show before writing. */
    exportNotes: call('images:exportNotes'),
    /** How an edit result differs from its original, counted in the original file's own values. */
    difference: call('images:difference'),
    /** Frees a stored image. */
    release: call('images:release'),
  },
  segment: {
    /** Starts selecting a region by text, a box or clicks; the job's `completed` event carries the mask id. */
    start: call('segment:start'),
  },
  edit: {
    /** Starts an IIR edit; answers the job id at once, progress arrives as `jobs:event`. */
    start: call('edit:start'),
    /** The expected peak memory before Generate (and low-memory picked when short); `warm` preloads the models. */
    plan: call('edit:plan'),
  },
  metrics: {
    /** PSNR and LPIPS outside the region and the prompt's CLIP score on it (when the metric models are installed). */
    compare: call('metrics:compare'),
  },
  sweep: {
    /** Starts a sweep (a grid of edits); answers the job id at once, progress arrives as `jobs:event`. */
    start: call('sweep:start'),
  },
  jobs: {
    /** Cancels a queued or running job (an edit or a search); calling it again is harmless. */
    cancel: call('jobs:cancel'),
    /** Every job with its state and queue position. */
    list: call('jobs:list'),
    /** The events of one job so far, in order. */
    events: call('jobs:events'),
  },
  models: {
    /** The catalog of downloadable models and bundles. */
    catalog: call('models:catalog'),
    /** The installed models. */
    installed: call('models:installed'),
    /** Starts downloading models or bundles; progress arrives as `models:progress`. */
    pull: call('models:pull'),
    /** The licences of models still to download, with whether each is accepted. */
    licenses: call('models:licenses'),
    /** Records the acceptance of licences the user was shown. */
    acceptLicenses: call('models:acceptLicenses'),
    /** Pauses a download; pulling again resumes it. */
    pause: call('models:pause'),
    /** Cancels a download (the partial files stay for a later resume). */
    cancel: call('models:cancel'),
    /** Imports a local model folder after checking it against its role's contract. */
    import: call('models:import'),
    /** Re-hashes installed files against their receipts. */
    verify: call('models:verify'),
    /** Deletes an installed model and its partial downloads. */
    remove: call('models:remove'),
    /** Deletes what a stopped download left in the models folder; answers the bytes freed. */
    deletePartial: call('models:deletePartial'),
    /** Disk use per model, of partial downloads, in total, and the free space. */
    diskUsage: call('models:diskUsage'),
    /** Starts making the int8 variant of a model; progress arrives as `models:progress`. */
    quantize: call('models:quantize'),
    /** Starts making the fp32 variant of an fp16 model; progress arrives as `models:progress`. */
    widen: call('models:widen'),
  },
  devices: {
    /** The execution providers and the last pre-flight result. */
    providers: call('devices:providers'),
    /** Runs the pre-flight self-test of every provider now. */
    preflight: call('devices:preflight'),
  },
  projects: {
    /** Saves the document as a `.iirproj` (the autosave, or bytes to download). */
    save: call('projects:save'),
    /** Opens a `.iirproj` from its bytes. */
    open: call('projects:open'),
    /** The autosave a session that did not end cleanly left, or null. */
    recover: call('projects:recover'),
    /** Forgets the autosave. */
    discardAutosave: call('projects:discardAutosave'),
  },
  remote: {
    /** Runs the editor's edits on the workers of a Redis queue (checked in main; never answered with its password). */
    connect: call('remote:connect'),
    /** Back to this machine's engine. */
    disconnect: call('remote:disconnect'),
    /** The queue in use and its live workers. */
    workers: call('remote:workers'),
  },
  batch: {
    /** Finds a region from text and edits it in each photo; progress arrives as `batch:event`. */
    start: call('batch:start'),
    /** Starts no more photos (those in hand finish). */
    pause: call('batch:pause'),
    /** Goes on with a paused batch. */
    resume: call('batch:resume'),
    /** Stops a batch. */
    cancel: call('batch:cancel'),
    /** Hands main the photo an `opening` item asked for (a path, or the file's bytes). */
    supply: call('batch:supply'),
    /** Reopens a finished photo (original, found region, result) into main's store. */
    open: call('batch:open'),
  },
  settings: {
    /** The current settings. */
    get: call('settings:get'),
    /** Changes some settings; answers all of them. */
    set: call('settings:set'),
  },
  /** Listens to an event channel (`jobs:event`, `models:progress`, `app:menu`, …); returns the unsubscribe function. */
  on<E extends EventChannel>(channel: E, listener: (payload: EventPayload<E>) => void): () => void {
    if (!(eventChannelList as readonly string[]).includes(channel))
      throw new Error(`unknown event channel ${String(channel)}`);
    const handler = (_event: IpcRendererEvent, payload: EventPayload<E>): void => listener(payload);
    ipcRenderer.on(channel, handler);
    return () => ipcRenderer.removeListener(channel, handler);
  },
} satisfies IirBridge;

contextBridge.exposeInMainWorld('iir', bridge);
/** A picked file's path on this computer ('' when it has none): main reads a Batch sheet photo from it itself. */
contextBridge.exposeInMainWorld('iirFiles', { pathOf: (file: File): string => webUtils.getPathForFile(file) });

/** The bridge's own type, for the contract type test. */
export type PreloadBridge = typeof bridge;
