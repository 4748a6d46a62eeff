/**
 * Prompt → CLIP token ids (transformers.js `AutoTokenizer`, local files only) → text encoder → the conditioning
 * [B, 77, 768], unconditional (negative prompt) first when classifier-free guidance is on.
 */
import { AutoTokenizer, env, type PreTrainedTokenizer } from '@huggingface/transformers';
import { IirError } from '../../shared/errors';
import { runModel } from './modelRun';
import type { LoadedSession } from './sessions';
import { idsTensor, readFloat, requireInput } from './tensors';

/** CLIP's context length. */
export const clipLength = 77;

const tokenizers = new Map<string, Promise<PreTrainedTokenizer>>();

/** The CLIP tokenizer in `dir` (`tokenizer.json` + `tokenizer_config.json`), loaded once per folder. */
export function loadTokenizer(dir: string): Promise<PreTrainedTokenizer> {
  let pending = tokenizers.get(dir);
  if (!pending) {
    env.allowRemoteModels = false;
    env.allowLocalModels = true;
    pending = AutoTokenizer.from_pretrained(dir, { local_files_only: true }).catch((error: unknown) => {
      tokenizers.delete(dir);
      const why = error instanceof Error ? error.message.split('\n')[0] : String(error);
      throw new IirError('model_missing', `cannot load the CLIP tokenizer from ${dir}: ${why}`);
    });
    tokenizers.set(dir, pending);
  }
  return pending;
}

/** Token ids of one prompt, padded/truncated to 77, and whether the prompt had to be cut. */
export interface TokenizedPrompt {
  readonly ids: number[];
  readonly isTruncated: boolean;
  /** Tokens the prompt has (with start and end tokens) before truncation. */
  readonly length: number;
}

function toNumbers(data: unknown): number[] {
  if (data instanceof BigInt64Array) return Array.from(data, (v) => Number(v));
  return Array.from(data as ArrayLike<number>);
}

/** Tokenizes `text` to exactly 77 ids (pad with the pad token, truncate keeping the end token). */
export function tokenize(tokenizer: PreTrainedTokenizer, text: string): TokenizedPrompt {
  const full = tokenizer(text, { add_special_tokens: true, return_tensor: false }) as { input_ids: number[] };
  const padded = tokenizer(text, {
    padding: 'max_length',
    max_length: clipLength,
    truncation: true,
    return_tensor: true,
  }) as { input_ids: { data: unknown } };
  const ids = toNumbers(padded.input_ids.data);
  if (ids.length !== clipLength) {
    throw new IirError('internal', `tokenizer returned ${ids.length} ids instead of ${clipLength}`);
  }
  return { ids, isTruncated: full.input_ids.length > clipLength, length: full.input_ids.length };
}

/** The text conditioning: [B, 77, D] float32 (negative first when B = 2) and any warnings. */
export interface TextConditioning {
  readonly hiddenStates: Float32Array;
  readonly batch: 1 | 2;
  readonly width: number;
  readonly warnings: readonly string[];
}

/**
 * Encodes `prompt` (and `negative` when `withNegative`, placed first) with the text encoder. Runs both prompts in
 * one batch when the encoder accepts a batch dimension, else one at a time.
 */
export async function encodeText(
  encoder: LoadedSession,
  tokenizer: PreTrainedTokenizer,
  prompt: string,
  negative: string,
  withNegative: boolean,
): Promise<TextConditioning> {
  const warnings: string[] = [];
  const positive = tokenize(tokenizer, prompt);
  if (positive.isTruncated) {
    warnings.push(
      `the prompt has ${positive.length} tokens; CLIP reads only the first ${clipLength}, the rest is ignored`,
    );
  }
  const prompts = [positive];
  if (withNegative) {
    const neg = tokenize(tokenizer, negative);
    if (neg.isTruncated) {
      warnings.push(`the negative prompt has ${neg.length} tokens; only the first ${clipLength} are used`);
    }
    prompts.unshift(neg);
  }
  const session = encoder.session;
  const idsSpec = requireInput(session, 'input_ids', 'text encoder');
  const fixedBatch = idsSpec.shape[0] === 1;
  const parts: Float32Array[] = [];
  const runs = fixedBatch ? prompts.map((p) => [p]) : [prompts];
  for (const group of runs) {
    const feeds = {
      input_ids: idsTensor(
        idsSpec,
        group.flatMap((p) => p.ids),
        [group.length, clipLength],
      ),
    };
    const out = await runModel(encoder, 'text encoder', feeds, ['last_hidden_state']);
    parts.push(Float32Array.from(readFloat(out.last_hidden_state, 'last_hidden_state')));
  }
  const total = parts.reduce((n, p) => n + p.length, 0);
  const hiddenStates = new Float32Array(total);
  let offset = 0;
  for (const p of parts) {
    hiddenStates.set(p, offset);
    offset += p.length;
  }
  const batch = prompts.length as 1 | 2;
  return { hiddenStates, batch, width: total / (batch * clipLength), warnings };
}
