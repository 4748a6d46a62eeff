import { PreviewEngine, type PreviewReply, type PreviewRequest } from './previewEngine';

/** The way to the preview's worker: requests go in order; compute replies come back. */
export interface PreviewChannel {
  post(request: PreviewRequest, transfer?: Transferable[]): void;
  onReply(listener: (reply: PreviewReply) => void): void;
  close(): void;
}

/**
 * The preview worker (a module worker Vite bundles beside the page: same origin, so the sandboxed renderer's CSP
 * `script-src 'self'` allows it in the desktop app's `app:` scheme and in serve mode).
 */
export function workerChannel(): PreviewChannel {
  const worker = new Worker(new URL('./preview.worker.ts', import.meta.url), { type: 'module', name: 'iir-preview' });
  /** Once the worker failed (it could not load, or it crashed): the same engine on this thread instead. */
  let fallback: PreviewChannel | null = null;
  let listener: ((reply: PreviewReply) => void) | null = null;
  worker.onmessage = (event: MessageEvent<PreviewReply>) => listener?.(event.data);
  worker.onerror = (event) => {
    event.preventDefault();
    worker.terminate();
    fallback = localChannel();
    if (listener) fallback.onReply(listener);
    // What the worker held is gone: the page sends it all again.
    listener?.({ type: 'lost', seq: -1 });
  };
  return {
    post: (request, transfer = []) => (fallback ? fallback.post(request) : worker.postMessage(request, transfer)),
    onReply: (next) => {
      listener = next;
      fallback?.onReply(next);
    },
    close: () => (fallback ? fallback.close() : worker.terminate()),
  };
}

/**
 * The same engine on this thread, answering after the current task (where there is no `Worker`: tests, and as the
 * fallback when a worker cannot start).
 */
export function localChannel(engine = new PreviewEngine()): PreviewChannel {
  let listener: ((reply: PreviewReply) => void) | null = null;
  let isClosed = false;
  return {
    post: (request) => {
      let reply: PreviewReply | null;
      try {
        reply = engine.handle(request);
      } catch (caught) {
        const message = caught instanceof Error ? caught.message : String(caught);
        reply = request.type === 'compute' ? { type: 'error', seq: request.seq, message } : null;
      }
      if (reply) setTimeout(() => !isClosed && listener?.(reply), 0);
    },
    onReply: (next) => (listener = next),
    close: () => (isClosed = true),
  };
}

/** The worker where the page can start one, else {@link localChannel}. */
export function defaultPreviewChannel(): PreviewChannel {
  if (typeof Worker === 'undefined') return localChannel();
  try {
    return workerChannel();
  } catch {
    return localChannel();
  }
}
