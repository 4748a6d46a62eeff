import { Redis } from 'ioredis';
import { IirError } from '../../shared/errors';

/** Connection settings both ioredis and BullMQ take. */
export interface QueueRedisOptions {
  readonly host: string;
  readonly port: number;
  readonly db: number;
  readonly username?: string;
  readonly password?: string;
  readonly tls?: { readonly servername: string };
  readonly maxRetriesPerRequest: null;
}

/** A parsed queue address: what to connect with, and how to name it in messages and logs (never the password). */
export interface QueueAddress {
  readonly options: QueueRedisOptions;
  /** `redis://host:port/db` without user or password: the only form of the address that is ever printed. */
  readonly display: string;
  /** `redis://[user@]host:port/db`: the address without its password, as the editor remembers it. */
  readonly bare: string;
  /** `host:port`, for the shortest messages. */
  readonly hostPort: string;
}

/** Parses `redis://[user:password@]host:port[/db]` or `rediss://…` (TLS). Wrong addresses are one-line errors. */
export function parseQueueUrl(url: string): QueueAddress {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new IirError('invalid_argument', 'the queue address must look like redis://[user:password@]host:port[/db]');
  }
  const isTls = parsed.protocol === 'rediss:';
  if (!isTls && parsed.protocol !== 'redis:') {
    throw new IirError(
      'invalid_argument',
      `the queue address must start with redis:// or rediss://, not ${parsed.protocol}//`,
    );
  }
  const host = parsed.hostname.replace(/^\[|\]$/g, '');
  if (host === '') throw new IirError('invalid_argument', 'the queue address names no host');
  const port = parsed.port === '' ? 6379 : Number(parsed.port);
  const dbText = parsed.pathname.replace(/^\//, '');
  const db = dbText === '' ? 0 : Number(dbText);
  if (!Number.isInteger(db) || db < 0 || db > 15) {
    throw new IirError(
      'invalid_argument',
      `the queue address's database must be a number from 0 to 15, not "${dbText}"`,
    );
  }
  const options: QueueRedisOptions = {
    host,
    port,
    db,
    ...(parsed.username ? { username: decodeURIComponent(parsed.username) } : {}),
    ...(parsed.password ? { password: decodeURIComponent(parsed.password) } : {}),
    ...(isTls ? { tls: { servername: host } } : {}),
    // BullMQ's blocking commands need this; and a lost connection is retried, not failed, mid-batch.
    maxRetriesPerRequest: null,
  };
  const hostPort = `${parsed.hostname}:${port}`;
  const user = parsed.username ? `${parsed.username}@` : '';
  return {
    options,
    display: `${parsed.protocol}//${parsed.host}/${db}`,
    bare: `${parsed.protocol}//${user}${parsed.host}/${db}`,
    hostPort,
  };
}

/** `address` with `password` in place of any it had (a password typed apart from the address, or a kept one). */
export function withPassword(address: QueueAddress, password: string): QueueAddress {
  return { ...address, options: { ...address.options, password } };
}

/** Whether a connection failure ({@link connectQueue}'s error) is the queue refusing or wanting a password. */
export function isPasswordRefused(error: unknown): boolean {
  const cause = error instanceof Error && error.cause !== undefined ? error.cause : error;
  const text = cause instanceof Error ? cause.message : String(cause);
  return /WRONGPASS|NOAUTH|invalid password|invalid username-password/i.test(text);
}

/** One human line for a Redis connection failure, naming the address without its password. */
export function describeRedisError(address: QueueAddress, error: unknown): IirError {
  const text = error instanceof Error ? error.message : String(error);
  const at = `the queue at ${address.display}`;
  let message: string;
  if (/WRONGPASS|invalid password|invalid username-password/i.test(text))
    message = `${at} refused the user name or password`;
  else if (/NOAUTH/i.test(text)) message = `${at} needs a password (redis://:password@host:port)`;
  else if (/ECONNREFUSED/.test(text)) message = `cannot reach ${at}: nothing is listening there`;
  else if (/ENOTFOUND|EAI_AGAIN/.test(text)) message = `cannot reach ${at}: unknown host`;
  else if (/ETIMEDOUT|timed out/i.test(text)) message = `cannot reach ${at}: no answer in time`;
  else message = `cannot use ${at}: ${text.split('\n')[0]}`;
  return new IirError('io_error', message, { cause: error });
}

/**
 * Connects to the queue's Redis once, checking the address and the password, so a mistake is one clear line
 * before anything starts. Returns the connected client (the caller closes it).
 */
export async function connectQueue(address: QueueAddress, timeoutMs = 5000): Promise<Redis> {
  const client = new Redis({
    ...address.options,
    lazyConnect: true,
    connectTimeout: timeoutMs,
    maxRetriesPerRequest: 1,
    retryStrategy: () => null,
  });
  // The reason (a refused password, say) arrives as an 'error' event; the promise only says the connection closed.
  let reason: unknown;
  client.on('error', (error) => (reason ??= error));
  try {
    await client.connect();
    await client.ping();
  } catch (error) {
    client.disconnect();
    throw describeRedisError(address, reason ?? error);
  }
  return client;
}
