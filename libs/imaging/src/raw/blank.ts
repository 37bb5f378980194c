import type { Sharp } from 'sharp';

export interface BlankReport {
  blank: boolean;
  /** Share of sampled pixels brighter than 3 % of full scale. */
  litFraction: number;
  meanLevel: number;
}

/**
 * Truncated RAWs can "decode" without an error into black (sometimes with a few coloured columns).
 * Sample a small downscale and call the picture blank when almost nothing in it is lit.
 */
export async function detectBlank(image: Sharp): Promise<BlankReport> {
  const { data, info } = await image
    .resize(192, 192, { fit: 'inside', kernel: 'nearest' })
    .greyscale()
    .raw()
    .toBuffer({ resolveWithObject: true });
  const samples = info.width * info.height * info.channels;
  const wide = data.length >= samples * 2;
  const full = wide ? 65535 : 255;
  const threshold = full * 0.03;
  let lit = 0;
  let sum = 0;
  const n = info.width * info.height;
  for (let i = 0; i < n; i++) {
    const off = i * info.channels;
    const v = wide ? data.readUInt16LE(off * 2) : data[off];
    sum += v;
    if (v > threshold) lit++;
  }
  const litFraction = lit / n;
  const meanLevel = sum / n / full;
  return { blank: litFraction < 0.05, litFraction, meanLevel };
}
