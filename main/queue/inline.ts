import { createHash } from 'node:crypto';
import { deserialize, serialize } from 'node:v8';
import type { Redis } from 'ioredis';
import { IirError } from '../../shared/errors';
import { type InlineRef, inlineKey, inlineLimitBytes, inlineTtlSeconds, resultTtlSeconds } from './interactiveJobs';

const mib = (bytes: number): string => `${Math.round((bytes / 2 ** 20) * 10) / 10} MiB`;

/** Refuses bytes too large to travel inline, in one line naming what and how large. */
export function checkInlineSize(what: string, size: number): void {
  if (size > inlineLimitBytes) {
    throw new IirError(
      'invalid_argument',
      `${what} is ${mib(size)}; remote workers take at most ${mib(inlineLimitBytes)} per photo (edit it on this machine)`,
    );
  }
}

/** Stores bytes in Redis under their hash, for an hour (renewed when sent again). */
export async function putInline(redis: Redis, what: string, bytes: Uint8Array): Promise<InlineRef> {
  checkInlineSize(what, bytes.byteLength);
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  await redis.set(
    inlineKey(sha256),
    Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength),
    'EX',
    inlineTtlSeconds,
  );
  return { sha256, size: bytes.byteLength };
}

/** The bytes a job names, checked against their size and hash; gone (expired) bytes are one clear line. */
export async function getInline(redis: Redis, what: string, ref: InlineRef): Promise<Buffer> {
  const bytes = await redis.getBuffer(inlineKey(ref.sha256));
  if (bytes === null) throw new IirError('not_found', `${what} is no longer in the queue (inline bytes last 1 hour)`);
  const digest = createHash('sha256').update(bytes).digest('hex');
  if (bytes.byteLength !== ref.size || digest !== ref.sha256) {
    throw new IirError('invalid_argument', `${what} in the queue does not match its hash`);
  }
  return bytes;
}

/** Stores a job's result (typed arrays and all) for its client to take. */
export async function putResult(redis: Redis, key: string, value: unknown): Promise<void> {
  await redis.set(key, serialize(value), 'EX', resultTtlSeconds);
}

/** Takes a job's result (and deletes it); the caller checks its shape. */
export async function takeResult(redis: Redis, key: string): Promise<unknown> {
  const bytes = await redis.getBuffer(key);
  if (bytes === null) throw new IirError('not_found', 'the remote result expired before it was fetched');
  await redis.del(key);
  try {
    return deserialize(bytes);
  } catch {
    throw new IirError('io_error', 'the remote result in the queue is damaged');
  }
}
