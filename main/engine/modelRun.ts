/**
 * `session.run` for the engine's models, with ONNX Runtime's failures turned into errors a person can act on: a
 * contract mismatch names the model file, the input and the shape the model declares against what was fed; an
 * allocation failure is `out_of_memory`. An ONNX Runtime message never reaches the user as `internal`.
 */
import type ort from 'onnxruntime-node';
import { IirError, isIirError } from '../../shared/errors';
import { oneLine } from './providers';

/** The session and the file it was loaded from (a {@link LoadedSession} fits). */
export interface RunnableModel {
  readonly session: ort.InferenceSession;
  readonly path: string;
  /** Give the CPU arena's free memory back after every run (single-run models, low-memory mode). */
  readonly shrinkArena?: boolean;
}

/** Run options that return the CPU arena's unused memory to the system when the run ends. */
const shrinkOptions: ort.InferenceSession.RunOptions = {
  extra: { memory: { enable_memory_arena_shrinkage: 'cpu:0' } },
};

function describeShape(shape: readonly (number | string)[]): string {
  return `[${shape.join(',')}]`;
}

function declared(session: ort.InferenceSession, name: string): string | undefined {
  const meta = session.inputMetadata.find((m) => m.name === name);
  return meta?.isTensor ? `${describeShape(meta.shape)} ${meta.type}` : undefined;
}

const inputPatterns: readonly RegExp[] = [
  /Invalid rank for input: (\S+)/,
  /invalid dimensions for input: (\S+)/i,
  /input '?([\w.:/-]+)'? .*(?:type|shape)/i,
];

/** The graph input an ONNX Runtime message is about, when it names one the session declares. */
function inputNamed(message: string, session: ort.InferenceSession): string | undefined {
  for (const pattern of inputPatterns) {
    const name = pattern.exec(message)?.[1];
    if (name !== undefined && session.inputNames.includes(name)) return name;
  }
  return undefined;
}

/**
 * The one-line error for an ONNX Runtime failure of `what` (e.g. "UNet") on `model` given `feeds`: which input, the
 * shape and type the file declares and those the engine fed, and ONNX Runtime's own reason.
 */
export function modelRunError(
  error: unknown,
  model: RunnableModel,
  what: string,
  feeds: Readonly<Record<string, ort.Tensor>>,
): IirError {
  if (isIirError(error)) return error;
  const reason = oneLine(error);
  if (/failed to allocate|bad_alloc|out of memory/i.test(reason)) {
    return new IirError(
      'out_of_memory',
      `not enough memory to run the ${what} (${model.path}); try low-memory mode or a smaller size (${reason})`,
      { cause: error },
    );
  }
  const name = inputNamed(reason, model.session);
  const fed = name !== undefined ? feeds[name] : undefined;
  const detail =
    name !== undefined
      ? `input "${name}" is declared ${declared(model.session, name) ?? '?'}` +
        (fed ? ` but was fed ${describeShape(fed.dims)} ${fed.type}` : '') +
        '; '
      : '';
  return new IirError(
    'model_missing',
    `model error in ${model.path} (${what}): ${detail}ONNX Runtime says: ${reason}; is it the right export?`,
    { cause: error },
  );
}

/**
 * Runs `model` with `feeds` (and `fetches`), reporting failures through {@link modelRunError}. With `shrink` (or a
 * model that always shrinks), the CPU arena gives its free memory back after the run.
 */
export async function runModel(
  model: RunnableModel,
  what: string,
  feeds: Record<string, ort.Tensor>,
  fetches?: readonly string[],
  shrink = false,
): Promise<ort.InferenceSession.ReturnType> {
  const options = shrink || model.shrinkArena ? shrinkOptions : {};
  try {
    return await model.session.run(feeds, fetches ? [...fetches] : model.session.outputNames, options);
  } catch (error) {
    throw modelRunError(error, model, what, feeds);
  }
}

/**
 * The name of a UNet's noise prediction: `out_sample` (diffusers/Optimum/OnnxStack), `noise_pred` (diffusers' fused
 * UNet + ControlNet export) or the graph's only output.
 */
export function noiseOutputName(session: ort.InferenceSession, what: string, path: string): string {
  const names = session.outputNames;
  for (const candidate of ['out_sample', 'noise_pred']) if (names.includes(candidate)) return candidate;
  if (names.length === 1) return names[0]!;
  throw new IirError(
    'model_missing',
    `model error in ${path} (${what}): no noise output "out_sample" or "noise_pred" (it gives ${names.join(', ')})`,
  );
}
