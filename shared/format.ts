/**
 * A byte count for people, in decimal units as disks and downloads are sold: `3.86 GB`, `512.0 MB`, `12 kB`, `7 B`.
 * The one byte formatter of the app (CLI, downloads, editor).
 */
export function formatBytes(bytes: number): string {
  if (bytes >= 1e9) return `${(bytes / 1e9).toFixed(2)} GB`;
  if (bytes >= 1e6) return `${(bytes / 1e6).toFixed(1)} MB`;
  if (bytes >= 1e3) return `${Math.round(bytes / 1e3)} kB`;
  return `${Math.round(bytes)} B`;
}

/** Memory for people, in binary units as operating systems report RAM: `7.4 GiB`, `512 MiB`. */
export function formatMemory(bytes: number): string {
  if (bytes >= 2 ** 30) return `${(bytes / 2 ** 30).toFixed(1)} GiB`;
  return `${Math.round(bytes / 2 ** 20)} MiB`;
}
