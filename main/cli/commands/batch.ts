import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import { editParamsSchema, type EditParams } from '../../../shared/api';
import { IirError } from '../../../shared/errors';
import { SerialEngine } from '../../batch/engine';
import { listBatchInputs } from '../../batch/inputs';
import type { BatchReportLine } from '../../batch/report';
import { type BatchProgress, type BatchRequest, type BatchSummary, runBatch } from '../../batch/runner';
import { loadManifest, submitBatch, type FollowOptions } from '../../queue/client';
import { controlBatch, followAttached } from './batchQueue';
import { connectQueue, parseQueueUrl } from '../../queue/connection';
import { EngineClient } from '../../engine/process/client';
import { forkLauncher } from '../../engine/process/launcher';
import { readModelSettings, resolveModelsDir } from '../../models/modelSettings';
import { type CommandContext, defineCommand } from '../command';
import { UsageError } from '../options';
import { forceOption } from '../outputs';
import { editParamKeys, type EditParamKey } from '../../../shared/api/editParams';
import { negativeOption, paramOptions, paramsFromOptions } from './paramOptions';
import { modelsOption } from '../modelsOption';

/** "2 min 5 s", "40 s". */
export function formatEta(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  return s >= 60 ? `${Math.floor(s / 60)} min ${s % 60} s` : `${s} s`;
}

/** Every declared edit parameter but `variations` (a batch makes one result per photo). */
const batchParamKeys = editParamKeys.filter((key): key is Exclude<EditParamKey, 'variations'> => key !== 'variations');

/** The API's parameters for the command line's edit options; a value the engine would refuse is a usage error. */
function paramsFrom(options: Readonly<Record<string, unknown>>): EditParams {
  const { prompt, negative, sd, controlnet } = options as Record<string, string | undefined>;
  if (prompt === undefined) throw new UsageError('--prompt <text> is required');
  const parsed = editParamsSchema.safeParse({
    prompt,
    negativePrompt: negative ?? '',
    ...paramsFromOptions(options, batchParamKeys),
    ...(sd === undefined ? {} : { sd }),
    ...(controlnet === undefined ? {} : { controlnet }),
    variations: 1,
  });
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  const where = issue.path.length > 0 ? `${issue.path.join('.')}: ` : '';
  throw new UsageError(`${where}${issue.message}`);
}

/** `iir batch`: one sentence over a folder. */
export const batchCommand = defineCommand({
  name: 'batch',
  summary: 'find a region from text in every photo of a folder and edit it (results and report.jsonl in --out)',
  description:
    'Finds --region in each photo (GroundingDINO + SAM), edits it as --prompt says, and writes the result under\n' +
    'the same name into --out, beside one JSON line per photo in <out>/report.jsonl (found or not with the best\n' +
    'score, the instances used, seed, timings, output). Photos where nothing is found are skipped and reported.\n' +
    'Re-running the same command resumes: photos whose output and report line exist are skipped. Ctrl-C leaves no\n' +
    'half-written file. Reading, segmentation, editing and writing of different photos overlap (--jobs).',
  positionals: [
    {
      name: 'photos',
      description: 'folders (their photos, not sub-folders) and photo files',
      variadic: true,
      optional: true,
    },
  ],
  options: {
    region: {
      type: 'string',
      valueName: 'text',
      description: 'what to find in every photo (required unless --attach)',
    },
    prompt: {
      type: 'string',
      valueName: 'text',
      description: 'what the region should become (required unless --attach)',
    },
    ...negativeOption,
    ...paramOptions(batchParamKeys),
    sd: { type: 'string', valueName: 'id', description: 'SD1.5 model: an installed id (required with --queue)' },
    controlnet: { type: 'string', valueName: 'id', description: 'ControlNet: an installed id (required with --queue)' },
    ...modelsOption,
    'box-threshold': {
      type: 'number',
      valueName: '0..1',
      min: 0,
      max: 1,
      default: 0.35,
      description: 'GroundingDINO box score a region needs',
    },
    'text-threshold': {
      type: 'number',
      valueName: '0..1',
      min: 0,
      max: 1,
      default: 0.25,
      description: 'GroundingDINO score a word of the phrase needs',
    },
    jobs: {
      type: 'number',
      valueName: 'n',
      integer: true,
      min: 1,
      max: 8,
      default: 2,
      description: 'photos in flight at once (the engine edits one while the next is read and segmented)',
    },
    out: {
      type: 'string',
      valueName: 'dir',
      description: 'folder for the results and report.jsonl (required unless --attach)',
    },
    queue: {
      type: 'string',
      valueName: 'redis://…',
      description: 'hand the photos to the workers on this queue (iir worker) instead of editing here',
    },
    detach: { type: 'boolean', description: 'with --queue: submit and return; follow later with --attach' },
    attach: { type: 'string', valueName: 'id', description: 'with --queue: follow a batch submitted with --detach' },
    pause: {
      type: 'boolean',
      description:
        'with --attach: take the batch\u2019s waiting photos off the queue (photos in hand finish), then return',
    },
    resume: {
      type: 'boolean',
      description: 'with --attach: put a paused batch\u2019s photos back on the queue, then return',
    },
    json: { type: 'boolean', description: 'print each report line, then the totals, as JSON lines on stdout' },
    ...forceOption,
  },
  examples: [
    'batch shoot/ --region "the car" --prompt "a red car" --noise 0.3 --out red-cars/',
    'batch a.jpg b.jpg --region "sky" --prompt "a sunset sky" --out sunsets/ --json',
    'batch /mnt/shoot --region "sky" --prompt "a sunset sky" --sd sd15 --controlnet controlnet-canny --out /mnt/out --queue redis://gpu-box:6379',
    'batch --attach <id> --queue redis://gpu-box:6379 --pause',
  ],
  async run({ options, positionals }, context) {
    const report = reporter(context, options.json, options.region);
    try {
      if (options.attach !== undefined) {
        if (positionals.photos.length > 0)
          throw new UsageError('--attach follows a batch already submitted: give no photos');
        const address = parseQueueUrl(requireQueue(options.queue, '--attach'));
        const manifest = await loadManifest(address, options.attach);
        if (options.pause || options.resume) return await controlBatch(address, manifest, options, context);
        report.finish(
          await followAttached(address, manifest, followOptions(context.signal, options.seed, report), context),
        );
        return;
      }
      if (options.pause || options.resume) throw new UsageError('--pause and --resume act on a batch: --attach <id>');
      if (positionals.photos.length === 0) throw new UsageError('name the photos or folders to edit');
      if (options.region === undefined) throw new UsageError('--region <text> is required');
      if (options.out === undefined) throw new UsageError('--out <dir> is required');
      const params = paramsFrom(options);
      const inputs = await listBatchInputs(positionals.photos);
      const outDir = resolve(options.out);
      const what = {
        inputs,
        outDir,
        region: options.region,
        boxThreshold: options['box-threshold'],
        textThreshold: options['text-threshold'],
      };
      if (options.queue === undefined) {
        if (options.detach) throw new UsageError('--detach needs --queue: a local batch runs in this process');
        const modelsDir = resolveModelsDir(options.models, await readModelSettings(context.env), context.env);
        report.finish(
          await runLocal(
            { ...what, params, modelsDir, provider: options.provider, jobs: options.jobs, overwrite: options.force },
            context,
            report,
          ),
        );
        return;
      }
      if (params.sd === undefined || params.controlnet === undefined) {
        throw new UsageError('with --queue, name the models the workers must use: --sd <id> --controlnet <id>');
      }
      const address = parseQueueUrl(options.queue);
      (await connectQueue(address)).disconnect();
      const manifest = await submitBatch(address, {
        ...what,
        params: { ...params, sd: params.sd, controlnet: params.controlnet },
      });
      const skipped = inputs.length - manifest.jobs.length;
      if (options.detach) {
        if (options.json) context.printJson({ batchId: manifest.batchId, jobs: manifest.jobs.length, skipped });
        else
          context.log(
            `submitted ${manifest.jobs.length} photos as batch ${manifest.batchId}; follow it with: iir batch --attach ${manifest.batchId} --queue <url>`,
          );
        return;
      }
      const summary = await followAttached(
        address,
        manifest,
        followOptions(context.signal, options.seed, report),
        context,
      );
      report.finish({ ...summary, total: inputs.length, skipped });
    } finally {
      report.close();
    }
  },
});

type Reporter = ReturnType<typeof reporter>;

/** The progress bar with ETA, each photo's line (JSON, or a message for photos not edited), and the totals. */
function reporter(context: CommandContext, json: boolean, region: string | undefined) {
  const bar = context.progress('batch');
  let progress: BatchProgress = { done: 0, total: 0, etaMs: null };
  const detail = (extra = ''): string =>
    `${progress.done}/${progress.total} photos${extra}${progress.etaMs === null ? '' : `, ${formatEta(progress.etaMs)} left`}`;
  return {
    step(fraction: number): void {
      if (progress.total > 0)
        bar.update(
          (progress.done + fraction) / progress.total,
          detail(`, ${Math.round(fraction * 100)} % of the next`),
        );
    },
    line(line: BatchReportLine, p: BatchProgress): void {
      progress = p;
      bar.update(p.done / p.total, detail());
      if (json) context.printJson(line);
      else if (line.status === 'not_found') context.log(`${line.input}: ${line.message ?? 'nothing found'}, skipped`);
      else if (line.status === 'failed') context.log(`${line.input}: ${line.error ?? 'failed'}`);
    },
    finish(summary: BatchSummary): void {
      bar.finish();
      if (json) context.printJson({ summary });
      else {
        const skipped = summary.skipped > 0 ? `, ${summary.skipped} done before` : '';
        const without = region === undefined ? 'nothing found' : `without "${region}"`;
        context.log(
          `edited ${summary.edited} of ${summary.total} photos (${summary.notFound} ${without}, ` +
            `${summary.failed} failed${skipped}) in ${formatEta(summary.wallMs)}; report: ${summary.report}`,
        );
      }
      if (summary.failed > 0) {
        throw new IirError(
          'invalid_argument',
          `${summary.failed} of ${summary.total} photos failed: see ${summary.report}`,
        );
      }
    },
    close(): void {
      bar.finish();
    },
  };
}

function requireQueue(queue: string | undefined, option: string): string {
  if (queue === undefined) throw new UsageError(`${option} needs --queue redis://…`);
  return queue;
}

function followOptions(signal: AbortSignal, seed: number, report: Reporter): FollowOptions {
  return { signal, seed, onLine: (line, p) => report.line(line, p), onStep: (fraction) => report.step(fraction) };
}

/** A batch in this process, with one engine process. */
async function runLocal(
  request: Omit<BatchRequest, 'signal' | 'runId'>,
  context: CommandContext,
  report: Reporter,
): Promise<BatchSummary> {
  const client = new EngineClient(forkLauncher(undefined, context.env));
  try {
    return await runBatch(
      {
        ...request,
        signal: context.signal,
        runId: randomUUID(),
        onStep: (_, i, n) => report.step(i / n),
        onLine: (line, p) => report.line(line, p),
      },
      new SerialEngine(client),
    );
  } finally {
    client.dispose();
  }
}
