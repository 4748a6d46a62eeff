import { appendFile, readFile } from 'node:fs/promises';
import { z } from 'zod';
import { describeReadError, describeWriteError } from '../image/fileErrors';

/** One photo of a batch, as `report.jsonl` records it. */
export const batchReportLineSchema = z.object({
  input: z.string(),
  /** `edited`: the output was written; `not_found`: the region text found nothing; `failed`: see `error`. */
  status: z.enum(['edited', 'not_found', 'failed']),
  output: z.string().nullable(),
  /** The best box score for the region text (found or not). */
  bestScore: z.number().nullable(),
  /** The instances used for the mask. */
  instances: z.array(
    z.object({
      box: z.object({ x0: z.number(), y0: z.number(), x1: z.number(), y1: z.number() }),
      phrase: z.string().nullable(),
      score: z.number().nullable(),
    }),
  ),
  seed: z.number().int(),
  /** Milliseconds: reading and decoding, segmentation, the edit, encoding and writing, and the whole photo. */
  timingsMs: z.object({
    read: z.number(),
    segment: z.number(),
    edit: z.number(),
    write: z.number(),
    total: z.number(),
  }),
  error: z.string().optional(),
  /** Why a photo found nothing (the segmentation's own sentence). */
  message: z.string().optional(),
});
/** See {@link batchReportLineSchema}. */
export type BatchReportLine = z.infer<typeof batchReportLineSchema>;

/**
 * The report lines already in `path`, by input. A missing report is an empty one; a line that does not parse (cut
 * short by a crash or power loss) is ignored, so that photo is done again.
 */
export async function readReport(path: string): Promise<Map<string, BatchReportLine>> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return new Map();
    throw describeReadError(path, error);
  }
  const lines = new Map<string, BatchReportLine>();
  for (const raw of text.split('\n')) {
    if (raw.trim() === '') continue;
    let json: unknown;
    try {
      json = JSON.parse(raw);
    } catch {
      continue;
    }
    const parsed = batchReportLineSchema.safeParse(json);
    if (parsed.success) lines.set(parsed.data.input, parsed.data);
  }
  return lines;
}

/**
 * Appends one line in a single write, starting on a fresh line if an earlier run was cut mid-line. Written after
 * the photo's output is in place, so a line never names a missing file.
 */
export async function appendReportLine(path: string, line: BatchReportLine, startsFresh: boolean): Promise<void> {
  try {
    await appendFile(path, `${startsFresh ? '' : '\n'}${JSON.stringify(line)}\n`);
  } catch (error) {
    throw describeWriteError(path, error);
  }
}

/** Whether the report ends mid-line (a crash cut its last write): the next line must start with a newline. */
export async function endsCleanly(path: string): Promise<boolean> {
  try {
    const text = await readFile(path, 'utf8');
    return text.length === 0 || text.endsWith('\n');
  } catch {
    return true;
  }
}
