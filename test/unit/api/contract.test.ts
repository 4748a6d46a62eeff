import { describe, expect, it } from 'vitest';
import {
  channelNames,
  decodeWireMessage,
  editStartRequestSchema,
  encodeWireMessage,
  eventChannels,
  filePathSchema,
  isChannel,
  jobEventSchema,
  requestChannels,
  settingsPatchSchema,
} from '../../../shared/api';
import { type HandlerServices, createHandlers } from '../../../main/services/handlers';

describe('the channel map', () => {
  it('names every channel domain:verb and knows only its own keys', () => {
    for (const name of channelNames) expect(name).toMatch(/^[a-z]+:[a-zA-Z]+$/);
    expect(channelNames).toContain('edit:start');
    expect(channelNames).toContain('models:diskUsage');
    expect(Object.keys(eventChannels)).toEqual([
      'jobs:event',
      'models:progress',
      'app:menu',
      'app:opened',
      'app:notice',
      'batch:event',
    ]);
    expect(isChannel('__proto__')).toBe(false);
    expect(isChannel('toString')).toBe(false);
    expect(isChannel('edit:start')).toBe(true);
  });
});

describe('main’s handlers', () => {
  // The handlers' type is declared from the channel map, so a type test cannot tell what the object holds.
  it('are exactly one function per channel of the map', () => {
    const handlers = createHandlers({} as HandlerServices) as Record<string, unknown>;
    expect(Object.keys(handlers).sort()).toEqual([...channelNames].sort());
    for (const name of channelNames) expect(typeof handlers[name], name).toBe('function');
  });
});

describe('file paths', () => {
  it('accepts plain absolute paths on every platform', () => {
    for (const path of ['/home/a/photo.jpg', 'C:\\Users\\a\\photo.png', 'D:/x/y.webp', '\\\\server\\share\\p.png']) {
      expect(filePathSchema.safeParse(path).success).toBe(true);
    }
  });

  it('refuses traversal, relative paths, NUL bytes and huge strings', () => {
    for (const path of [
      '/home/a/../../etc/passwd',
      'photo.jpg',
      '../x.png',
      '/a/./b',
      'C:\\a\\..\\b',
      '/a\0b',
      '/' + 'a'.repeat(5000),
      '',
    ]) {
      expect(filePathSchema.safeParse(path).success).toBe(false);
    }
  });
});

describe('edit:start', () => {
  it('applies the paper defaults and refuses a mask whose length does not match its size', () => {
    const parsed = editStartRequestSchema.parse({
      imageId: 'img_a1',
      roi: { mask: { width: 2, height: 2, data: new Uint8Array(4) } },
      params: { prompt: 'a green cup' },
    });
    expect(parsed.params).toMatchObject({ steps: 20, scheduler: 'ddim', gray: true, variations: 1, size: 512 });
    const bad = editStartRequestSchema.safeParse({
      imageId: 'img_a1',
      roi: { mask: { width: 2, height: 2, data: new Uint8Array(3) } },
      params: { prompt: 'x' },
    });
    expect(bad.success).toBe(false);
    expect(editStartRequestSchema.safeParse({ imageId: 'x', roi: {}, params: {} }).success).toBe(false);
  });
});

describe('settings:set', () => {
  it('takes a partial patch without filling defaults and refuses unknown fields', () => {
    expect(settingsPatchSchema.parse({ lowMemory: true })).toEqual({ lowMemory: true });
    expect(settingsPatchSchema.safeParse({ evil: 1 }).success).toBe(false);
    expect(requestChannels['settings:set'].request).toBe(settingsPatchSchema);
  });
});

describe('job events', () => {
  it('is a union on type with the terminal events', () => {
    expect(jobEventSchema.parse({ jobId: 'job_1', kind: 'edit', type: 'step', i: 3, n: 20 })).toMatchObject({ i: 3 });
    expect(jobEventSchema.safeParse({ jobId: 'job_1', kind: 'edit', type: 'exploded' }).success).toBe(false);
  });
});

describe('the WebSocket wire format', () => {
  it('carries Uint8Arrays as raw bytes, not JSON arrays', () => {
    const data = new Uint8Array(10_000).map((_, i) => i % 251);
    const frame = encodeWireMessage({
      t: 'req',
      id: 7,
      channel: 'edit:start',
      request: { roi: { mask: { width: 100, height: 100, data } }, nested: [new Uint8Array([1, 2])] },
    });
    expect(frame.byteLength).toBeLessThan(10_000 + 300);
    const decoded = decodeWireMessage(frame) as {
      request: { roi: { mask: { data: Uint8Array } }; nested: Uint8Array[] };
    };
    expect(decoded.request.roi.mask.data).toEqual(data);
    expect(decoded.request.nested[0]).toEqual(new Uint8Array([1, 2]));
  });

  it('refuses truncated frames', () => {
    const frame = encodeWireMessage({ t: 'evt', channel: 'x', payload: new Uint8Array(100) });
    expect(() => decodeWireMessage(frame.subarray(0, frame.byteLength - 10))).toThrow(/overruns/);
    expect(() => decodeWireMessage(new Uint8Array(2))).toThrow(/too short/);
  });
});
