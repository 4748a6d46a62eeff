import { PreviewEngine, type PreviewReply, type PreviewRequest } from './previewEngine';

// "What the model sees", off the page's thread: requests arrive in order; each compute is answered with its preview.
const engine = new PreviewEngine();
const scope = self as unknown as {
  onmessage: ((event: MessageEvent<PreviewRequest>) => void) | null;
  postMessage(message: PreviewReply): void;
};

scope.onmessage = (event: MessageEvent<PreviewRequest>) => {
  let reply: PreviewReply | null;
  try {
    reply = engine.handle(event.data);
  } catch (caught) {
    const message = caught instanceof Error ? caught.message : String(caught);
    reply = event.data.type === 'compute' ? { type: 'error', seq: event.data.seq, message } : null;
  }
  // Copied, not transferred: the three images are under a megabyte at preview size, and one may share the photo's bytes.
  if (reply) scope.postMessage(reply);
};
