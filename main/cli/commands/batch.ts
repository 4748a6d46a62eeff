import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import { editParamsSchema, type EditParams } from '../../../shared/api';
import { IirError } from '../../../shared/errors';
import { SerialEngine } from '../../batch/engine';
import { listBatchInputs } from '../../batch/inputs';
import type { BatchProgress } from '../../batch/runner';
import { runBatch } from '../../batch/runner';
import { EngineClient } from '../../engine/process/client';
import { forkLauncher } from '../../engine/process/launcher';
import { readModelSettings, resolveModelsDir } from '../../models/modelSettings';
import { defineCommand } from '../command';
import { UsageError } from '../options';
import { editOptionsFrom, editParamOptions } from './editParamOptions';

/** "2 min 5 s", "40 s". */
export function formatEta(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  return s >= 60 ? `${Math.floor(s / 60)} min ${s % 60} s` : `${s} s`;
}

/** The API's parameters for the command line's edit options; a value the engine would refuse is a usage error. */
function paramsFrom(options: Parameters<typeof editOptionsFrom>[0]): EditParams {
  const parsed = editParamsSchema.safeParse({ ...editOptionsFrom(options), variations: 1 });
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
    { name: 'photos', description: 'folders (their photos, not sub-folders) and photo files', variadic: true },
  ],
  options: {
    region: { type: 'string', valueName: 'text', required: true, description: 'what to find in every photo' },
    ...editParamOptions,
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
    out: { type: 'string', valueName: 'dir', required: true, description: 'folder for the results and report.jsonl' },
    json: { type: 'boolean', description: 'print each report line, then the totals, as JSON lines on stdout' },
  },
  examples: [
    'batch shoot/ --region "the car" --prompt "a red car" --noise 0.3 --out red-cars/',
    'batch a.jpg b.jpg --region "sky" --prompt "a sunset sky" --out sunsets/ --json',
  ],
  async run({ options, positionals }, context) {
    const params = paramsFrom(options);
    const inputs = await listBatchInputs(positionals.photos);
    const modelsDir = resolveModelsDir(options.models, await readModelSettings(context.env), context.env);
    const client = new EngineClient(forkLauncher(undefined, context.env));
    const bar = context.progress('batch');
    let progress: BatchProgress = { done: 0, total: inputs.length, etaMs: null };
    const detail = (extra = ''): string =>
      `${progress.done}/${progress.total} photos${extra}${progress.etaMs === null ? '' : `, ${formatEta(progress.etaMs)} left`}`;
    try {
      const summary = await runBatch(
        {
          inputs,
          outDir: resolve(options.out),
          region: options.region,
          boxThreshold: options['box-threshold'],
          textThreshold: options['text-threshold'],
          params,
          modelsDir,
          provider: options.provider,
          jobs: options.jobs,
          signal: context.signal,
          runId: randomUUID(),
          onStep: (_, i, n) => bar.update((progress.done + i / n) / progress.total, detail(`, step ${i}/${n}`)),
          onLine: (line, p) => {
            progress = p;
            bar.update(p.done / p.total, detail());
            if (options.json) context.printJson(line);
            else if (line.status === 'not_found')
              context.log(`${line.input}: ${line.message ?? 'nothing found'}, skipped`);
            else if (line.status === 'failed') context.log(`${line.input}: ${line.error ?? 'failed'}`);
          },
        },
        new SerialEngine(client),
      );
      bar.finish();
      if (options.json) context.printJson({ summary });
      else {
        const skipped = summary.skipped > 0 ? `, ${summary.skipped} done before` : '';
        context.log(
          `edited ${summary.edited} of ${summary.total} photos (${summary.notFound} without "${options.region}", ` +
            `${summary.failed} failed${skipped}) in ${formatEta(summary.wallMs)}; report: ${summary.report}`,
        );
      }
      if (summary.failed > 0) {
        throw new IirError(
          'invalid_argument',
          `${summary.failed} of ${summary.total} photos failed: see ${summary.report}`,
        );
      }
    } finally {
      bar.finish();
      client.dispose();
    }
  },
});
