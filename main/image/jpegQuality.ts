/** The IJG quality (1–100) a JPEG's luminance quantization table corresponds to, or null when it has none. */
const standardLuminance = [
  16, 11, 10, 16, 24, 40, 51, 61, 12, 12, 14, 19, 26, 58, 60, 55, 14, 13, 16, 24, 40, 57, 69, 56, 14, 17, 22, 29, 51,
  87, 80, 62, 18, 22, 37, 56, 68, 109, 103, 77, 24, 35, 55, 64, 81, 104, 113, 92, 49, 64, 78, 87, 103, 121, 120, 101,
  72, 92, 95, 98, 112, 100, 103, 99,
];
const zigzag = [
  0, 1, 8, 16, 9, 2, 3, 10, 17, 24, 32, 25, 18, 11, 4, 5, 12, 19, 26, 33, 40, 48, 41, 34, 27, 20, 13, 6, 7, 14, 21, 28,
  35, 42, 49, 56, 57, 50, 43, 36, 29, 22, 15, 23, 30, 37, 44, 51, 58, 59, 52, 45, 38, 31, 39, 46, 53, 60, 61, 54, 47,
  55, 62, 63,
];

export function estimateJpegQuality(jpeg: Uint8Array): number | null {
  let at = 2;
  while (at + 4 <= jpeg.length && jpeg[at] === 0xff) {
    const marker = jpeg[at + 1]!;
    const length = (jpeg[at + 2]! << 8) | jpeg[at + 3]!;
    if (marker === 0xda) return null;
    if (marker === 0xdb) {
      let p = at + 4;
      while (p < at + 2 + length) {
        const precision = jpeg[p]! >> 4;
        const id = jpeg[p]! & 15;
        const values: number[] = [];
        for (let i = 0; i < 64; i++)
          values.push(precision ? (jpeg[p + 1 + i * 2]! << 8) | jpeg[p + 2 + i * 2]! : jpeg[p + 1 + i]!);
        if (id === 0) {
          let sum = 0;
          for (let i = 0; i < 64; i++) sum += (values[i]! * 100) / standardLuminance[zigzag[i]!]!;
          const scale = sum / 64;
          const quality = scale <= 100 ? (200 - scale) / 2 : 5000 / scale;
          return Math.min(100, Math.max(1, Math.round(quality)));
        }
        p += 1 + 64 * (precision ? 2 : 1);
      }
    }
    at += 2 + length;
  }
  return null;
}
