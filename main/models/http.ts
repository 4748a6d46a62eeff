import type { Readable } from 'node:stream';
import { EnvHttpProxyAgent, request, type Dispatcher } from 'undici';
import { IirError, invalidArgument } from '../../shared/errors';
import { isLoopbackHost } from '../loopback';

/** The Hugging Face hub; `IIR_HUB_ENDPOINT` points downloads at a mirror instead. */
export const defaultHubEndpoint = 'https://huggingface.co';

export interface HubConfig {
  /** Origin (and optional path prefix) that replaces `https://huggingface.co` in catalog URLs. */
  endpoint: string;
  /** Sent as a bearer token to the endpoint's origin only; never to a redirect target, never logged. */
  token: string | null;
}

/** Hub settings from the environment (`IIR_HUB_ENDPOINT`, `HF_TOKEN`) and the settings' token. */
export function hubFromEnv(env: NodeJS.ProcessEnv = process.env, settingsToken: string | null = null): HubConfig {
  const endpoint = (env.IIR_HUB_ENDPOINT ?? defaultHubEndpoint).replace(/\/+$/, '');
  assertAllowedUrl(endpoint);
  const token = settingsToken ?? env.HF_TOKEN ?? env.HUGGING_FACE_HUB_TOKEN ?? null;
  return { endpoint, token: token && token.trim() !== '' ? token.trim() : null };
}

/** Catalog URLs name the public hub; a mirror serves the same paths under its own endpoint. */
export function rewriteForHub(url: string, hub: HubConfig): string {
  if (hub.endpoint === defaultHubEndpoint) return url;
  if (url.startsWith(`${defaultHubEndpoint}/`)) return hub.endpoint + url.slice(defaultHubEndpoint.length);
  return url;
}

/** https only; plain http only to the loopback interface (tests, a local mirror). */
export function assertAllowedUrl(url: string): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw invalidArgument(`not a URL: ${url}`);
  }
  if (parsed.protocol === 'https:') return parsed;
  if (parsed.protocol === 'http:' && isLoopbackHost(parsed.hostname)) return parsed;
  throw invalidArgument(`refusing ${parsed.protocol}//${parsed.host}: downloads must use https`);
}

/** The URL without query and credentials, for messages (signed storage URLs carry secrets in the query). */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname}`;
  } catch {
    return '<bad url>';
  }
}

let sharedDispatcher: Dispatcher | undefined;

/** One agent for all downloads; it honours HTTPS_PROXY / HTTP_PROXY / NO_PROXY from the environment. */
export function defaultDispatcher(): Dispatcher {
  sharedDispatcher ??= new EnvHttpProxyAgent();
  return sharedDispatcher;
}

export interface OpenOptions {
  method?: 'GET' | 'HEAD';
  headers?: Record<string, string>;
  hub?: HubConfig;
  dispatcher?: Dispatcher;
  signal?: AbortSignal;
  /** No headers or no body bytes for this long = a stalled connection. */
  stallMs?: number;
  maxRedirects?: number;
}

export interface OpenResponse {
  status: number;
  headers: Record<string, string | undefined>;
  body: Readable & { dump(opts?: { limit: number }): Promise<void> };
  finalUrl: string;
  /** The hub's SHA-256 of an LFS file (`X-Linked-Etag`, seen on any hop). */
  linkedSha256: string | null;
  /** The hub's size of an LFS file (`X-Linked-Size`). */
  linkedSize: number | null;
}

function flatHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(headers)) out[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
  return out;
}

function sha256FromEtag(etag: string | undefined): string | null {
  const m = etag ? /^(?:W\/)?"?([0-9a-f]{64})"?$/i.exec(etag.trim()) : null;
  return m?.[1]?.toLowerCase() ?? null;
}

/**
 * Sends a request and follows redirects by hand, so that each hop is checked (https only) and the hub token goes
 * only to the hub endpoint's origin — a storage host that the hub redirects to never sees it.
 */
export async function openUrl(url: string, options: OpenOptions = {}): Promise<OpenResponse> {
  const maxRedirects = options.maxRedirects ?? 10;
  const hubOrigin = options.hub ? new URL(options.hub.endpoint).origin : null;
  let current = url;
  let linkedSha256: string | null = null;
  let linkedSize: number | null = null;
  let previous: URL | null = null;
  for (let hop = 0; hop <= maxRedirects; hop++) {
    const target = assertAllowedUrl(current);
    if (previous?.protocol === 'https:' && target.protocol !== 'https:') {
      throw new IirError(
        'io_error',
        `${redactUrl(previous.toString())} redirected to plain http (${target.host}); refusing the downgrade`,
      );
    }
    previous = target;
    const headers: Record<string, string> = { 'user-agent': 'iir-studio', ...options.headers };
    if (options.hub?.token && target.origin === hubOrigin) headers.authorization = `Bearer ${options.hub.token}`;
    const response = await request(target, {
      method: options.method ?? 'GET',
      headers,
      dispatcher: options.dispatcher ?? defaultDispatcher(),
      signal: options.signal,
      headersTimeout: options.stallMs ?? 60_000,
      bodyTimeout: options.stallMs ?? 60_000,
    });
    const responseHeaders = flatHeaders(response.headers);
    linkedSha256 = sha256FromEtag(responseHeaders['x-linked-etag']) ?? linkedSha256;
    const size = Number(responseHeaders['x-linked-size']);
    if (Number.isSafeInteger(size) && size >= 0 && responseHeaders['x-linked-size'] !== undefined) linkedSize = size;
    const location = responseHeaders.location;
    if ([301, 302, 303, 307, 308].includes(response.statusCode) && location) {
      await response.body.dump();
      current = new URL(location, target).toString();
      continue;
    }
    return {
      status: response.statusCode,
      headers: responseHeaders,
      body: response.body,
      finalUrl: current,
      linkedSha256,
      linkedSize,
    };
  }
  throw new IirError('io_error', `too many redirects from ${redactUrl(url)}`);
}

/** The most a catalog may weigh: the built-in one is ~30 kB, so 4 MiB leaves room for large user catalogs. */
export const maxTextBytes = 4 * 1024 * 1024;
/** The whole fetch of a catalog (headers and body) must finish within this. */
export const textTimeoutMs = 30_000;

/** GET a small text document (a catalog), refusing one over `maxBytes` or slower than `timeoutMs` in all. */
export async function fetchText(
  url: string,
  dispatcher?: Dispatcher,
  limits: { maxBytes?: number; timeoutMs?: number } = {},
): Promise<string> {
  const maxBytes = limits.maxBytes ?? maxTextBytes;
  const timeoutMs = limits.timeoutMs ?? textTimeoutMs;
  const signal = AbortSignal.timeout(timeoutMs);
  const timedOut = (): IirError =>
    new IirError('io_error', `${redactUrl(url)} did not answer within ${Math.round(timeoutMs / 1000)} s`);
  let response: OpenResponse;
  try {
    response = await openUrl(url, { dispatcher, signal, stallMs: timeoutMs });
  } catch (error) {
    if (error instanceof IirError) throw error;
    if (signal.aborted) throw timedOut();
    throw new IirError('io_error', `cannot fetch ${redactUrl(url)} (${(error as Error).message})`);
  }
  if (response.status !== 200) {
    discard(response.body);
    throw new IirError(
      response.status === 404 ? 'not_found' : 'io_error',
      `${redactUrl(url)}: HTTP ${response.status}`,
    );
  }
  const tooBig = (): IirError =>
    new IirError('io_error', `${redactUrl(url)} is larger than ${maxBytes} bytes; a catalog is a small JSON file`);
  const declared = Number(response.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) {
    discard(response.body);
    throw tooBig();
  }
  const chunks: Buffer[] = [];
  let received = 0;
  try {
    for await (const chunk of response.body as AsyncIterable<Buffer>) {
      received += chunk.length;
      if (received > maxBytes) throw tooBig();
      chunks.push(chunk);
    }
  } catch (error) {
    discard(response.body);
    if (error instanceof IirError) throw error;
    if (signal.aborted) throw timedOut();
    throw new IirError('io_error', `cannot fetch ${redactUrl(url)} (${(error as Error).message})`);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** Drops a response body without reading it; the abort it causes is not an error anyone waits for. */
function discard(body: Readable): void {
  body.on('error', () => undefined);
  body.destroy();
}
