/**
 * The benchmark's tables: CSV (one row per case), JSON (the rows and the means) and a self-contained HTML report
 * with thumbnails as data URIs. Every text from the folder is escaped; CSV cells that a spreadsheet would run as a
 * formula are prefixed with a quote.
 */
import type { EvalMetrics } from './evaluate';
import type { BenchCase } from './benchFolder';
import { formatPsnr } from './report';

/** One evaluated case, with its thumbnails (JPEG bytes). */
export interface BenchRow {
  readonly case: BenchCase;
  readonly metrics: EvalMetrics;
  readonly thumbnails: { readonly original: Uint8Array; readonly edited: Uint8Array };
}

type Cell = string | number | boolean | null;

const columns: readonly [string, (row: BenchRow) => Cell][] = [
  ['id', (r) => r.case.id],
  ['editing_type', (r) => r.case.editingType],
  ['source_prompt', (r) => r.case.sourcePrompt],
  ['target_prompt', (r) => r.case.targetPrompt],
  ['psnr', (r) => r.metrics.mask.psnr],
  ['psnr_infinite', (r) => r.metrics.mask.psnrInfinite],
  ['mse', (r) => r.metrics.mask.mse],
  ['ssim', (r) => r.metrics.mask.ssim],
  ['lpips', (r) => r.metrics.mask.lpips],
  ['dilated_psnr', (r) => r.metrics.dilated.psnr],
  ['dilated_psnr_infinite', (r) => r.metrics.dilated.psnrInfinite],
  ['dilated_mse', (r) => r.metrics.dilated.mse],
  ['dilated_ssim', (r) => r.metrics.dilated.ssim],
  ['dilated_lpips', (r) => r.metrics.dilated.lpips],
  ['clip_whole', (r) => r.metrics.clip?.whole ?? null],
  ['clip_edited', (r) => r.metrics.clip?.edited ?? null],
  ['clip_region', (r) => r.metrics.clip?.region ?? null],
  ['structure_distance', (r) => r.metrics.structureDistance],
];

function csvCell(value: Cell): string {
  if (value === null) return '';
  if (typeof value !== 'string') return String(value);
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** The CSV table (header + one row per case); an infinite PSNR is an empty cell with `psnr_infinite` true. */
export function benchCsv(rows: readonly BenchRow[]): string {
  const lines = [columns.map(([name]) => name).join(',')];
  for (const row of rows) lines.push(columns.map(([, get]) => csvCell(get(row))).join(','));
  return `${lines.join('\n')}\n`;
}

function mean(values: readonly (number | null)[]): number | null {
  const finite = values.filter((v): v is number => v !== null && Number.isFinite(v));
  return finite.length === 0 ? null : finite.reduce((a, b) => a + b, 0) / finite.length;
}

/** Means over the cases (finite PSNRs only; how many were infinite is counted). */
export function benchSummary(rows: readonly BenchRow[]): Record<string, number | null> {
  const summary: Record<string, number | null> = { cases: rows.length };
  for (const [name, get] of columns.slice(4)) {
    if (name.endsWith('_infinite')) summary[name] = rows.filter((r) => get(r) === true).length;
    else summary[name] = mean(rows.map((r) => get(r) as number | null));
  }
  return summary;
}

/** The JSON document: every row's values by column name, and the summary. */
export function benchJson(rows: readonly BenchRow[], extra: Record<string, unknown>): string {
  const table = rows.map((row) => Object.fromEntries(columns.map(([name, get]) => [name, get(row)])));
  return `${JSON.stringify({ ...extra, summary: benchSummary(rows), rows: table }, null, 2)}\n`;
}

/** Escapes text for HTML element content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const fmt = (v: number | null, digits: number): string => (v === null ? '–' : v.toFixed(digits));
const img = (bytes: Uint8Array, alt: string): string =>
  `<img alt="${escapeHtml(alt)}" src="data:image/jpeg;base64,${Buffer.from(bytes).toString('base64')}">`;

function htmlRow(row: BenchRow): string {
  const m = row.metrics;
  const cells = [
    escapeHtml(row.case.id),
    img(row.thumbnails.original, 'original'),
    img(row.thumbnails.edited, 'edited'),
    `${escapeHtml(row.case.sourcePrompt)}<br>→ ${escapeHtml(row.case.targetPrompt)}`,
    escapeHtml(formatPsnr(m.mask)),
    fmt(m.mask.ssim, 4),
    fmt(m.mask.lpips, 4),
    escapeHtml(formatPsnr(m.dilated)),
    fmt(m.clip?.whole ?? null, 2),
    fmt(m.clip?.edited ?? null, 2),
    fmt(m.structureDistance === null ? null : m.structureDistance * 1e3, 2),
  ];
  return `<tr>${cells.map((c) => `<td>${c}</td>`).join('')}</tr>`;
}

/** A self-contained HTML page: the means, then every case with its thumbnails. */
export function benchHtml(rows: readonly BenchRow[], title: string, note: string | null): string {
  const s = benchSummary(rows);
  const head = [
    'id',
    'original',
    'edited',
    'prompts',
    'PSNR',
    'SSIM',
    'LPIPS',
    'PSNR (dilated)',
    'CLIP whole',
    'CLIP edited',
    'structure ×10³',
  ];
  const summary =
    `${rows.length} cases · PSNR ${fmt(s.psnr ?? null, 2)} dB · SSIM ${fmt(s.ssim ?? null, 4)} · LPIPS ${fmt(s.lpips ?? null, 4)} · ` +
    `dilated PSNR ∞ in ${s.dilated_psnr_infinite} · CLIP whole ${fmt(s.clip_whole ?? null, 2)} · CLIP edited ${fmt(s.clip_edited ?? null, 2)}`;
  return [
    '<!doctype html><html lang="en"><head><meta charset="utf-8">',
    '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; img-src data:; style-src \'unsafe-inline\'">',
    `<title>${escapeHtml(title)}</title>`,
    '<style>body{font:14px system-ui,sans-serif;margin:1.5em}table{border-collapse:collapse}td,th{border:1px solid #ccc;',
    'padding:4px 6px;vertical-align:top}td:nth-child(n+5){text-align:right;font-variant-numeric:tabular-nums}img{max-width:128px}</style>',
    `</head><body><h1>${escapeHtml(title)}</h1><p>${escapeHtml(summary)}</p>`,
    note ? `<p>${escapeHtml(note)}</p>` : '',
    `<table><thead><tr>${head.map((h) => `<th>${escapeHtml(h)}</th>`).join('')}</tr></thead><tbody>`,
    ...rows.map(htmlRow),
    '</tbody></table></body></html>',
    '',
  ].join('\n');
}
