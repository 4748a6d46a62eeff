import { readFileSync } from 'node:fs';
import { encodeJpegKeepingBlocks, readJpeg } from '../../../main/image/jpeg';

// Runs in its own process (see jpeg.ts) so that its peak RSS holds only the inputs an export would hold and the
// block-keeping writer's own memory. Arguments: source.jpg composited.rgb region.bin width height runs.
const [sourcePath, compositedPath, regionPath, width, height, runs] = process.argv.slice(2) as [
  string,
  string,
  string,
  string,
  string,
  string,
];
// Buffers are Uint8Arrays: no copies, so RSS holds each input once.
const source = readFileSync(sourcePath);
const composited = {
  data: readFileSync(compositedPath),
  width: Number(width),
  height: Number(height),
  channels: 3 as const,
};
const region = readFileSync(regionPath);
const inputsRss = process.memoryUsage().rss;
/**
 * This process's peak RSS, bytes. Linux: VmHWM, the high-water mark of this process's own memory. Not
 * `resourceUsage().maxRSS`: the kernel carries the forking parent's RSS into a child's maxRSS across exec, so a bench
 * parent that has just decoded the 12 MP photo for the edit (ensureEdit) would show as this export's peak.
 */
function peakRss(): number {
  try {
    const kb = /VmHWM:\s+(\d+)/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1];
    if (kb) return Number(kb) * 1024;
  } catch {
    // not Linux
  }
  return process.resourceUsage().maxRSS * 1024;
}
const cpuMs = (): number => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};

const totals: number[] = [];
const cpu: number[] = [];
const reads: number[] = [];
let last: ReturnType<typeof encodeJpegKeepingBlocks> | undefined;
let firstRunPeakRss = 0;
for (let i = 0; i < Number(runs); i++) {
  const startCpu = cpuMs();
  const start = performance.now();
  last = encodeJpegKeepingBlocks(source, composited, region);
  totals.push(performance.now() - start);
  cpu.push(cpuMs() - startCpu);
  // The first export's peak, before garbage from repeated runs can add to it.
  if (i === 0) firstRunPeakRss = peakRss();
  const readStart = performance.now();
  readJpeg(source);
  reads.push(performance.now() - readStart);
}
if (!last || 'fallback' in last) throw new Error(`unexpected fallback: ${last ? last.fallback : 'no run'}`);
process.stdout.write(
  `${JSON.stringify({
    totals,
    cpu,
    reads,
    inputsRss,
    inputsBytes: source.length + composited.data.length + region.length,
    peakRss: firstRunPeakRss,
    outputBytes: last.bytes.length,
    mcusTotal: last.mcusTotal,
    mcusReencoded: last.mcusReencoded,
  })}\n`,
);
