import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import type { EditParams, ProviderChoice } from '../../shared/api';
import { IirError, throwIfCancelled } from '../../shared/errors';
import { openImage } from '../image/decode';
import { encodeImage } from '../image/encode';
import { describeReadError } from '../image/fileErrors';
import { formatForPath, writeFileAtomic } from '../image/writeFile';
import type { SerialEngine } from './engine';
import type { BatchReportLine } from './report';

/** One photo of a batch: where it is, where its result goes, what to find and how to edit it. */
export interface PhotoEdit {
  readonly input: string;
  readonly output: string;
  /** The region, as text for GroundingDINO. */
  readonly region: string;
  readonly boxThreshold: number;
  readonly textThreshold: number;
  readonly params: EditParams;
  readonly modelsDir: string;
  readonly provider: ProviderChoice;
  /** Tells this run's SAM embeddings apart from another run's over the same files (which may have changed). */
  readonly runId: string;
  /** Replace a file already at `output` (else the photo fails, naming it). */
  readonly overwrite: boolean;
}

const round = (ms: number): number => Math.round(ms * 10) / 10;

/** One photo: read and decode, find the region, edit, encode and write (atomically). */
export async function editPhoto(
  request: PhotoEdit,
  engine: SerialEngine,
  signal: AbortSignal,
  onStep?: (i: number, n: number) => void,
): Promise<BatchReportLine> {
  const { input, output, params } = request;
  const t0 = performance.now();
  let bytes: Uint8Array;
  try {
    bytes = await readFile(input);
  } catch (error) {
    throw describeReadError(input, error);
  }
  const source = await openImage(bytes, { name: basename(input) });
  const decoded = await source.decode();
  const t1 = performance.now();
  throwIfCancelled(signal);
  const found = await engine.segment(
    {
      kind: 'segment',
      image: decoded.rgb,
      // Each photo is segmented once per run: a key of its own keeps a re-run from reusing a stale embedding.
      imageKey: `batch:${request.runId}:${input}`,
      text: request.region,
      points: [],
      boxThreshold: request.boxThreshold,
      textThreshold: request.textThreshold,
      modelsDir: request.modelsDir,
      provider: request.provider,
    },
    signal,
  );
  const t2 = performance.now();
  const base = {
    input,
    bestScore: found.bestScore,
    instances: found.instances.map((i) => ({ box: i.boxImagePx, phrase: i.phrase, score: i.score })),
    seed: params.seed,
  };
  if (found.instances.length === 0) {
    const timingsMs = { read: round(t1 - t0), segment: round(t2 - t1), edit: 0, write: 0, total: round(t2 - t0) };
    return { ...base, status: 'not_found', output: null, timingsMs, message: found.message ?? 'nothing found' };
  }
  const edited = await engine.edit(
    // Nobody watches a batch photo's steps: the engine makes no previews for it.
    { kind: 'edit', imageBytes: bytes, mask: found.mask, params, modelsDir: request.modelsDir, previews: false },
    signal,
    onStep,
  );
  const t3 = performance.now();
  const result = edited.results[0];
  if (!result) throw new IirError('internal', `the engine returned no image for ${basename(input)}`);
  const encoded = await encodeImage(result.rgb, result.alpha, {
    format: formatForPath(output),
    metadata: result.metadata,
  });
  await writeFileAtomic(output, encoded, { signal, overwrite: request.overwrite });
  const t4 = performance.now();
  const timingsMs = {
    read: round(t1 - t0),
    segment: round(t2 - t1),
    edit: round(t3 - t2),
    write: round(t4 - t3),
    total: round(t4 - t0),
  };
  return { ...base, status: 'edited', output, timingsMs };
}
