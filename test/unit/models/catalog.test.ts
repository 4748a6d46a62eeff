import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  builtinCatalogPath,
  bundleBytes,
  loadCatalog,
  loadCatalogs,
  parseCatalog,
  resolveTargets,
} from '../../../main/models/catalog';
import { hubFromEnv, rewriteForHub, assertAllowedUrl } from '../../../main/models/http';
import { pendingLicenses, recordAccepted } from '../../../main/models/licenses';
import { cacheDir } from '../../setup/global';

const minimal = {
  models: [
    {
      id: 'tiny',
      title: 'Tiny',
      role: 'tokenizer',
      license: 'MIT',
      files: [{ url: 'https://example.com/tokenizer.json', path: 'tokenizer.json', bytes: 10, sha256: null }],
    },
  ],
};

describe('catalog', () => {
  it('the built-in catalog is valid and its starter bundle is the training-free IIR set', async () => {
    const catalog = await loadCatalog(builtinCatalogPath());
    const starter = catalog.bundles.find((b) => b.id === 'starter');
    expect(starter?.models).toEqual([
      'sd15-fp16',
      'controlnet-canny',
      'clip-tokenizer',
      'grounding-dino-tiny',
      'slimsam-77',
    ]);
    const roles = resolveTargets(catalog, ['starter']).map((m) => m.role);
    expect(roles).toEqual(['sd15', 'controlnet-canny', 'tokenizer', 'grounding', 'sam']);
    const size = bundleBytes(catalog, starter!);
    // SD1.5 fp16 3.86 GB (the 4.47 GB repository less its safety checker, which is not pulled) + Canny 736 MB +
    // tokenizer + GroundingDINO tiny fp32 720 MB + SlimSAM 40 MB ≈ 5.36 GB.
    expect(size.bytes).toBeGreaterThan(5.3e9);
    expect(size.bytes).toBeLessThan(5.45e9);
    for (const model of catalog.models) {
      expect(catalog.licenses.some((l) => l.id === model.license)).toBe(true);
      expect(catalog.roles[model.role]).toBeDefined();
      for (const file of model.files)
        expect(file.url.startsWith(`https://huggingface.co/${model.source?.repo}/resolve/`)).toBe(true);
    }
    expect(resolveTargets(catalog, ['controlnet-canny'])[0]?.files[0]?.url).toBe(
      'https://huggingface.co/TensorStack/ControlNet-onnx/resolve/main/SD/Canny/model.onnx',
    );
  });

  it('accepts the minimal form from the issue and fills defaults', () => {
    const catalog = parseCatalog(minimal, 'mini.json');
    expect(catalog.bundles).toEqual([]);
    expect(catalog.models[0]?.files[0]?.path).toBe('tokenizer.json');
  });

  it.each([
    ['../escape.bin', /models\[0\]\.files\[0\]\.path: must be a relative path inside the model folder/],
    ['/etc/passwd', /files\[0\]\.path: must be a relative path/],
    ['a/../../b', /files\[0\]\.path: must be a relative path/],
    ['C:/x', /files\[0\]\.path: must be a relative path/],
  ])('refuses the manifest path %s', (path, message) => {
    const bad = { models: [{ ...minimal.models[0], files: [{ ...minimal.models[0]!.files[0], path }] }] };
    expect(() => parseCatalog(bad, 'bad.json')).toThrow(message);
  });

  it('names the first malformed field in one line', () => {
    expect(() => parseCatalog({ models: [{ ...minimal.models[0], role: 'upscaler' }] }, 'c.json')).toThrow(
      /^catalog c\.json: models\[0\]\.role: /,
    );
    expect(() => parseCatalog({ models: [{ ...minimal.models[0], files: [{ path: 'x' }] }] }, 'c.json')).toThrow(
      /models\[0\]\.files\[0\]\.url/,
    );
    expect(() => parseCatalog({ models: [minimal.models[0], minimal.models[0]] }, 'c.json')).toThrow(/appears twice/);
    expect(() => parseCatalog({ modelz: [] }, 'c.json')).toThrow(/catalog c\.json/);
  });

  it('reports unreadable and non-JSON catalog files clearly', async () => {
    const dir = await mkdtemp(join(cacheDir, 'catalog-'));
    await writeFile(join(dir, 'broken.json'), '{ "models": [');
    await expect(loadCatalog(join(dir, 'broken.json'))).rejects.toThrow(/is not valid JSON/);
    await expect(loadCatalog(join(dir, 'none.json'))).rejects.toThrow(/cannot read catalog/);
  });

  it('adds user catalogs after the built-in one; a later entry with the same id wins', async () => {
    const dir = await mkdtemp(join(cacheDir, 'catalog-'));
    const extra = { models: [{ ...minimal.models[0], id: 'clip-tokenizer', title: 'Mirror tokenizer' }] };
    await writeFile(join(dir, 'extra.json'), JSON.stringify(extra));
    const catalog = await loadCatalogs([join(dir, 'extra.json')]);
    expect(catalog.models.find((m) => m.id === 'clip-tokenizer')?.title).toBe('Mirror tokenizer');
    expect(catalog.models.some((m) => m.id === 'sd15-fp16')).toBe(true);
    expect(() => resolveTargets(catalog, ['nope'])).toThrow(/no model or bundle "nope"/);
  });
});

describe('hub settings', () => {
  it('points hub URLs at a mirror and takes the token from settings, then HF_TOKEN', () => {
    const hub = hubFromEnv({ IIR_HUB_ENDPOINT: 'https://mirror.example.org/hf/', HF_TOKEN: 'env-token' });
    expect(hub).toEqual({ endpoint: 'https://mirror.example.org/hf', token: 'env-token' });
    expect(rewriteForHub('https://huggingface.co/a/b/resolve/main/x.onnx', hub)).toBe(
      'https://mirror.example.org/hf/a/b/resolve/main/x.onnx',
    );
    expect(rewriteForHub('https://other.example.com/x', hub)).toBe('https://other.example.com/x');
    expect(hubFromEnv({ HF_TOKEN: 'env' }, 'settings').token).toBe('settings');
    expect(hubFromEnv({}).endpoint).toBe('https://huggingface.co');
  });

  it('allows plain http only on loopback', () => {
    expect(assertAllowedUrl('http://127.0.0.1:8080/x').hostname).toBe('127.0.0.1');
    expect(assertAllowedUrl('http://localhost/x').hostname).toBe('localhost');
    expect(() => assertAllowedUrl('http://example.com/x')).toThrow(/must use https/);
    expect(() => assertAllowedUrl('ftp://example.com/x')).toThrow(/must use https/);
    expect(() => hubFromEnv({ IIR_HUB_ENDPOINT: 'http://mirror.example.org' })).toThrow(/must use https/);
  });
});

describe('licences', () => {
  it('records acceptance per licence in the models folder', async () => {
    const dir = join(await mkdtemp(join(cacheDir, 'lic-')), 'models');
    await mkdir(dir, { recursive: true });
    const catalog = await loadCatalog(builtinCatalogPath());
    const licenses = catalog.licenses.filter((l) => l.id === 'apache-2.0' || l.id === 'openrail');
    expect((await pendingLicenses(dir, licenses)).map((l) => l.id).sort()).toEqual(['apache-2.0', 'openrail']);
    await recordAccepted(
      dir,
      licenses.filter((l) => l.id === 'apache-2.0'),
    );
    expect((await pendingLicenses(dir, licenses)).map((l) => l.id)).toEqual(['openrail']);
  });
});

describe('the built-in catalog says what it could not confirm', () => {
  it('marks every file without an exact size or SHA-256 as unconfirmed, and lists each licence’s restrictions', async () => {
    const catalog = await loadCatalog(builtinCatalogPath());
    const files = catalog.models.flatMap((m) => m.files.map((f) => ({ model: m.id, ...f })));
    const open = files.filter((f) => f.bytes === null || f.sha256 === null);
    expect(open.filter((f) => !f.unconfirmed).map((f) => `${f.model}/${f.path}`)).toEqual([]);
    expect(files.filter((f) => f.bytes !== null && f.sha256 !== null && f.unconfirmed)).toEqual([]);
    for (const license of catalog.licenses) expect(license.restrictions?.length).toBeGreaterThan(0);
  });
});
