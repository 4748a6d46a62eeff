import { z } from 'zod';
import { devicesSchema } from './devices';
import type { eventChannelList } from './eventNames';
import { editStartRequestSchema, segmentStartRequestSchema } from './edit';
import { editPlanRequestSchema, editPlanSchema } from './editPlan';
import { sweepStartRequestSchema } from './sweep';
import { imageIdSchema, jobIdSchema } from './ids';
import {
  bytesSchema,
  encodeImageRequestSchema,
  exportFormats,
  exportImageRequestSchema,
  exportNotesRequestSchema,
  exportPlanSchema,
  differenceRequestSchema,
  imageInfoSchema,
  openImageRequestSchema,
  storedDifferenceSchema,
} from './images';
import { jobEventSchema, jobSummarySchema } from './jobs';
import { compareMetricsRequestSchema, compareMetricsSchema } from './metrics';
import { projectOpenedSchema, projectSaveRequestSchema } from './projects';
import {
  acceptLicensesRequestSchema,
  catalogSchema,
  diskUsageSchema,
  importRequestSchema,
  installedModelSchema,
  licenseInfoSchema,
  licensesRequestSchema,
  modelProgressSchema,
  modelRefSchema,
  pullRequestSchema,
  verifyResultSchema,
} from './models';
import {
  batchEventSchema,
  batchItemRefSchema,
  batchOpenedSchema,
  batchRefSchema,
  batchStartRequestSchema,
  batchStates,
  batchSupplyRequestSchema,
  remoteConnectRequestSchema,
  remoteStateSchema,
} from './remote';
import { settingsPatchSchema, visibleSettingsSchema } from './settings';

const none = z.object({}).strict();
const jobRef = z.object({ jobId: jobIdSchema }).strict();
const imageRef = z.object({ id: imageIdSchema }).strict();

/**
 * Every request channel (`'domain:verb'`) with its request and response schema. Main validates each request with
 * it; the preload, the renderer client and the WebSocket transport are derived from it.
 */
export const requestChannels = {
  /** Open an image from a path or from bytes; it becomes the `original` of a document. */
  'images:open': { request: openImageRequestSchema, response: imageInfoSchema },
  /**
   * Ask where to save (the desktop app's native dialog); `path` is null when the user cancelled. The path it answers
   * may be exported to once. Serve mode has no native dialogs and answers `invalid_argument`: use `images:encode`
   * and let the browser download the bytes.
   */
  'dialogs:save': {
    request: z.object({ defaultName: z.string().min(1).max(255), format: z.enum(exportFormats) }).strict(),
    response: z.object({ path: z.string().nullable() }),
  },
  /** Facts about a stored image. */
  'images:info': { request: imageRef, response: imageInfoSchema },
  /**
   * Write a stored image to the file the save dialog just chose (PNG/JPEG/WebP/TIFF, with the edit recipe in its
   * metadata); any other path is refused, so serve mode (no dialog) never writes a path the page names. `notes`
   * repeats what the format could not keep of the source (see `images:exportNotes`).
   */
  'images:export': {
    request: exportImageRequestSchema,
    response: z.object({
      path: z.string(),
      bytes: z.number().int().nonnegative(),
      notes: z.array(z.string()).default([]),
    }),
  },
  /** A stored image encoded as an export file (PNG/JPEG/WebP with the recipe), for the browser to download. */
  'images:encode': {
    request: encodeImageRequestSchema,
    response: z.object({ bytes: bytesSchema, notes: z.array(z.string()).default([]) }),
  },
  /**
   * What exporting an image as `format` keeps of its source (profile, depth, metadata, the JPEG blocks re-encoded)
   * and cannot keep (CMYK, 16 bits, gray, alpha, recompression), for the export panel to show before writing.
   */
  'images:exportNotes': { request: exportNotesRequestSchema, response: exportPlanSchema },
  /**
   * How an edit result differs from the image it was edited from (or `against`), counted in the original file's
   * stored values (not sRGB), with a heat map (an image id; the previous map is released).
   */
  'images:difference': { request: differenceRequestSchema, response: storedDifferenceSchema },
  /** Forget a stored image (and free its pixels). */
  'images:release': { request: imageRef, response: z.object({ released: z.boolean() }) },
  /** Find a RoI from text; a job whose `completed` event carries the mask id. */
  'segment:start': { request: segmentStartRequestSchema, response: z.object({ jobId: jobIdSchema }) },
  /** Start an IIR edit; answers with the job id at once, progress arrives as `jobs:event`. */
  'edit:start': { request: editStartRequestSchema, response: z.object({ jobId: jobIdSchema }) },
  /**
   * The expected peak memory of an edit of a document before Generate, and whether low-memory settings are picked
   * for this machine; with `warm`, its models start loading in the background.
   */
  'edit:plan': { request: editPlanRequestSchema, response: editPlanSchema },
  /** PSNR and LPIPS outside the region and the CLIP score of the prompt on it, for the compare bar. */
  'metrics:compare': { request: compareMetricsRequestSchema, response: compareMetricsSchema },
  /** Start a sweep: one edit per cell of a grid of one or two parameters; a job like an edit's. */
  'sweep:start': { request: sweepStartRequestSchema, response: z.object({ jobId: jobIdSchema }) },
  /** Cancel a queued or running job, an edit or a search (idempotent); `wasActive` is false when it had ended. */
  'jobs:cancel': { request: jobRef, response: z.object({ wasActive: z.boolean() }) },
  /** Every job the queue knows, queued first by position, then running, then finished (most recent last). */
  'jobs:list': { request: none, response: z.object({ jobs: z.array(jobSummarySchema) }) },
  /** The events of one job so far, in order (to catch up after subscribing late). */
  'jobs:events': { request: jobRef, response: z.object({ events: z.array(jobEventSchema) }) },
  /** The catalog of downloadable models and bundles. */
  'models:catalog': { request: none, response: catalogSchema },
  /** Models installed in the models folder. */
  'models:installed': { request: none, response: z.object({ models: z.array(installedModelSchema) }) },
  /** Start downloading models or bundles; progress arrives as `models:progress`. */
  'models:pull': { request: pullRequestSchema, response: z.object({ started: z.array(z.string()) }) },
  /** The licences of models or bundles still to download: name, link, key restrictions, accepted or not. */
  'models:licenses': { request: licensesRequestSchema, response: z.object({ licenses: z.array(licenseInfoSchema) }) },
  /** Records the user's acceptance of licences they were shown (who, when, the text's hash). */
  'models:acceptLicenses': {
    request: acceptLicensesRequestSchema,
    response: z.object({ accepted: z.array(z.string()) }),
  },
  /** Pause a download (the partial files stay for resuming). */
  'models:pause': { request: modelRefSchema, response: z.object({ wasActive: z.boolean() }) },
  /** Cancel a download (the partial files stay; pull again to resume). */
  'models:cancel': { request: modelRefSchema, response: z.object({ wasActive: z.boolean() }) },
  /** Import a local model folder after checking it against its role's tensor contract. */
  'models:import': { request: importRequestSchema, response: installedModelSchema },
  /** Re-hash installed files against their receipts (all models when `id` is omitted). */
  'models:verify': {
    request: modelRefSchema.partial().strict(),
    response: z.object({ results: z.array(verifyResultSchema) }),
  },
  /** Delete an installed model and its partial downloads. */
  'models:remove': { request: modelRefSchema, response: z.object({ removed: z.boolean() }) },
  /**
   * Delete what a cancelled or paused download left (partial files, and the finished files of a model never
   * installed); answers the bytes freed and how many files it left because this app did not download them.
   */
  'models:deletePartial': {
    request: modelRefSchema,
    response: z.object({ freedBytes: z.number().nonnegative(), remaining: z.number().int().nonnegative() }),
  },
  /**
   * Start making `<id>-int8`, the int8 variant of an installed SD1.5 set or ControlNet (for CPU); refusals come back
   * at once, progress as `models:progress` (`quantizing`) under the variant's id; `models:cancel` stops it.
   */
  'models:quantize': { request: modelRefSchema, response: z.object({ started: z.string() }) },
  /** Start making `<id>-fp32`, the fp32 variant of an installed fp16 model (for CPU); as `models:quantize`. */
  'models:widen': { request: modelRefSchema, response: z.object({ started: z.string() }) },
  /** Bytes per model, partial downloads, total and free space. */
  'models:diskUsage': { request: none, response: diskUsageSchema },
  /** The execution providers this build ships, with the last pre-flight result. */
  'devices:providers': { request: none, response: devicesSchema },
  /** Run the pre-flight self-test of every shipped provider now (in the engine process). */
  'devices:preflight': { request: none, response: devicesSchema },
  /**
   * Save the document as a `.iirproj`: to the user-data folder (`autosave`, for recovery after a crash) or as bytes
   * the renderer hands to a download (`download`).
   */
  'projects:save': {
    request: projectSaveRequestSchema,
    response: z.object({ bytes: bytesSchema.nullable(), savedAt: z.string() }),
  },
  /** Open a `.iirproj` from its bytes. */
  'projects:open': {
    request: z.object({ bytes: bytesSchema.refine((b) => b.byteLength > 0, 'the file is empty') }).strict(),
    response: projectOpenedSchema,
  },
  /** The autosaved document left by a session that did not end cleanly, or null. */
  'projects:recover': { request: none, response: z.object({ project: projectOpenedSchema.nullable() }) },
  /** Forget the autosave (the work was saved, discarded or recovered). */
  'projects:discardAutosave': { request: none, response: z.object({ removed: z.boolean() }) },
  /**
   * Run the editor's edits and searches on the workers of a Redis queue (Devices → Remote workers). Main checks the
   * address and password; the answer names the queue without its password.
   */
  'remote:connect': { request: remoteConnectRequestSchema, response: remoteStateSchema },
  /** Back to this machine's engine. */
  'remote:disconnect': { request: none, response: remoteStateSchema },
  /** The queue in use (or null) and its live workers. */
  'remote:workers': { request: none, response: remoteStateSchema },
  /** Find a region from text and edit it in each photo (the Batch sheet); progress arrives as `batch:event`. */
  'batch:start': { request: batchStartRequestSchema, response: z.object({ batchId: z.string() }) },
  /** Start no more photos of a batch (those in hand finish). */
  'batch:pause': { request: batchRefSchema, response: z.object({ state: z.enum(batchStates) }) },
  /** Go on with a paused batch. */
  'batch:resume': { request: batchRefSchema, response: z.object({ state: z.enum(batchStates) }) },
  /** Stop a batch: photos in hand are cancelled, the rest are not started. */
  'batch:cancel': { request: batchRefSchema, response: z.object({ state: z.enum(batchStates) }) },
  /** Hand main the photo an `opening` item asked for (validated and opened as `images:open` does). */
  'batch:supply': { request: batchSupplyRequestSchema, response: z.object({ accepted: z.boolean() }) },
  /** Reopen a finished photo (original, found region, result) for the editor or a save. */
  'batch:open': { request: batchItemRefSchema, response: batchOpenedSchema },
  /** The current settings. */
  'settings:get': { request: none, response: visibleSettingsSchema },
  /** Change some settings; answers with all of them. */
  'settings:set': { request: settingsPatchSchema, response: visibleSettingsSchema },
} as const;

/** Commands from the application menu (or keyboard shortcuts main owns) for the renderer to carry out. */
export const menuCommands = ['open', 'export', 'batch', 'undo', 'redo', 'compare', 'sweep'] as const;

/** Every event channel main emits, with its payload schema. */
export const eventChannels = {
  /** A job's progress: see `jobEventSchema` for the order. */
  'jobs:event': jobEventSchema,
  /** A model download's progress. */
  'models:progress': modelProgressSchema,
  /** A menu command the renderer should carry out. */
  'app:menu': z.object({ command: z.enum(menuCommands) }),
  /** An image opened from outside the window (command line, the OS, the File menu's dialog). */
  'app:opened': imageInfoSchema,
  /** Something the user should know that is not an answer to a request (a settings file was reset, …). */
  'app:notice': z.object({ level: z.enum(['info', 'warning', 'error']), message: z.string() }),
  /** A Batch sheet batch's progress. */
  'batch:event': batchEventSchema,
} as const satisfies Record<(typeof eventChannelList)[number], z.ZodType>;
