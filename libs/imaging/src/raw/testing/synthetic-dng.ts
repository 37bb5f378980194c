import { writeFile } from 'node:fs/promises';

export interface SyntheticDngOptions {
  width: number;
  height: number;
  /** Varies the pattern so different files are not byte-identical. */
  seed?: number;
}

type Entry = { tag: number; type: number; values: number[] | string };
// TIFF types: 2 ASCII, 3 SHORT, 4 LONG, 5 RATIONAL, 10 SRATIONAL
const SIZE: Record<number, number> = { 1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 10: 8 };

/**
 * Write a minimal, valid, uncompressed 16-bit Bayer (RGGB) DNG: a single strip in IFD0 with the CFA
 * and colour tags LibRaw needs (DNGVersion, CFAPattern, ColorMatrix1, AsShotNeutral, WhiteLevel).
 * The scene is a colour gradient with a sine texture and a few saturated patches, so demosaicing does
 * real work and the result is far from blank. 6000x4000 (24 MP, 48 MB) takes about a second.
 */
export async function writeSyntheticDng(filePath: string, opts: SyntheticDngOptions): Promise<void> {
  await writeFile(filePath, buildSyntheticDng(opts));
}

export function buildSyntheticDng({ width, height, seed = 1 }: SyntheticDngOptions): Buffer {
  if (width < 16 || height < 16 || width % 2 || height % 2) throw new Error('width and height must be even and >= 16');
  const pixels = Buffer.alloc(width * height * 2);
  const black = 256;
  const white = 16383; // 14-bit sensor
  const range = white - black;
  const fx = (0.02 + (seed % 7) * 0.003) * Math.PI;
  const fy = (0.015 + (seed % 5) * 0.002) * Math.PI;
  // As-shot neutral: the sensor's green is ~2x as sensitive as red/blue, like a real camera.
  const gain = [0.5, 1, 0.6];
  const row = new Float64Array(width);
  let o = 0;
  for (let y = 0; y < height; y++) {
    const v = y / height;
    for (let x = 0; x < width; x++) row[x] = Math.sin(x * fx * 0.1 + seed) * Math.cos(y * fy * 0.1);
    for (let x = 0; x < width; x++) {
      const u = x / width;
      const c = (y & 1) === 0 ? ((x & 1) === 0 ? 0 : 1) : (x & 1) === 0 ? 1 : 2; // RGGB
      // Scene colour (linear 0..1): gradients + texture + patches.
      let r = 0.15 + 0.6 * u;
      let g = 0.15 + 0.6 * v;
      let b = 0.15 + 0.6 * (1 - u) * (1 - v);
      const t = 0.12 * row[x];
      r += t;
      g += t;
      b += t;
      const px = Math.floor(u * 6);
      const py = Math.floor(v * 4);
      if ((px + py + seed) % 5 === 0) {
        const k = (px * 3 + py) % 3;
        r = k === 0 ? 0.8 : 0.1;
        g = k === 1 ? 0.8 : 0.1;
        b = k === 2 ? 0.8 : 0.1;
      }
      const scene = c === 0 ? r : c === 1 ? g : b;
      const val = black + Math.max(0, Math.min(1, scene * gain[c])) * range;
      pixels.writeUInt16LE(Math.round(val), o);
      o += 2;
    }
  }
  const rat = (vals: number[], den = 10000) => vals.flatMap((v) => [Math.round(v * den), den]);
  const entries: Entry[] = [
    { tag: 0x00fe, type: 4, values: [0] }, // NewSubfileType: main image
    { tag: 0x0100, type: 4, values: [width] },
    { tag: 0x0101, type: 4, values: [height] },
    { tag: 0x0102, type: 3, values: [16] }, // BitsPerSample
    { tag: 0x0103, type: 3, values: [1] }, // Compression: none
    { tag: 0x0106, type: 3, values: [32803] }, // PhotometricInterpretation: CFA
    { tag: 0x010f, type: 2, values: 'Revela' },
    { tag: 0x0110, type: 2, values: 'Synthetic Bayer' },
    { tag: 0x0111, type: 4, values: [0] }, // StripOffsets (patched)
    { tag: 0x0112, type: 3, values: [1] }, // Orientation
    { tag: 0x0115, type: 3, values: [1] }, // SamplesPerPixel
    { tag: 0x0116, type: 4, values: [height] }, // RowsPerStrip
    { tag: 0x0117, type: 4, values: [pixels.length] }, // StripByteCounts
    { tag: 0x011c, type: 3, values: [1] }, // PlanarConfiguration
    { tag: 0x0131, type: 2, values: 'revela synthetic-dng' },
    { tag: 0x828d, type: 3, values: [2, 2] }, // CFARepeatPatternDim
    { tag: 0x828e, type: 1, values: [0, 1, 1, 2] }, // CFAPattern: RGGB
    { tag: 0xc612, type: 1, values: [1, 4, 0, 0] }, // DNGVersion
    { tag: 0xc613, type: 1, values: [1, 1, 0, 0] }, // DNGBackwardVersion
    { tag: 0xc614, type: 2, values: 'Revela Synthetic Bayer' }, // UniqueCameraModel
    { tag: 0xc61a, type: 4, values: [black] }, // BlackLevel
    { tag: 0xc61d, type: 4, values: [white] }, // WhiteLevel
    // ColorMatrix1 (XYZ -> camera), a typical DSLR matrix, D65.
    { tag: 0xc621, type: 10, values: rat([0.7034, -0.0804, -0.1014, -0.442, 1.1564, 0.3206, -0.0579, 0.1345, 0.6682]) },
    { tag: 0xc628, type: 5, values: rat(gain) }, // AsShotNeutral
    { tag: 0xc65a, type: 3, values: [21] }, // CalibrationIlluminant1: D65
  ];
  entries.sort((a, b) => a.tag - b.tag);

  const ifdOffset = 8;
  const ifdSize = 2 + entries.length * 12 + 4;
  let extra = ifdOffset + ifdSize;
  const extraParts: Buffer[] = [];
  const ifd = Buffer.alloc(ifdSize);
  ifd.writeUInt16LE(entries.length, 0);
  let stripOffsetEntry = -1;
  entries.forEach((e, i) => {
    const at = 2 + i * 12;
    const data = encode(e);
    const count = typeof e.values === 'string' ? data.length : e.type === 5 || e.type === 10 ? e.values.length / 2 : e.values.length;
    ifd.writeUInt16LE(e.tag, at);
    ifd.writeUInt16LE(e.type, at + 2);
    ifd.writeUInt32LE(count, at + 4);
    if (e.tag === 0x0111) stripOffsetEntry = at + 8;
    if (data.length <= 4) data.copy(ifd, at + 8);
    else {
      ifd.writeUInt32LE(extra, at + 8);
      const padded = data.length % 2 ? Buffer.concat([data, Buffer.alloc(1)]) : data;
      extraParts.push(padded);
      extra += padded.length;
    }
  });
  ifd.writeUInt32LE(0, ifdSize - 4); // no next IFD
  ifd.writeUInt32LE(extra, stripOffsetEntry);
  const header = Buffer.from([0x49, 0x49, 0x2a, 0x00, 0x08, 0x00, 0x00, 0x00]);
  return Buffer.concat([header, ifd, ...extraParts, pixels]);
}

function encode(e: Entry): Buffer {
  if (typeof e.values === 'string') return Buffer.from(e.values + '\0', 'latin1');
  const size = SIZE[e.type];
  const n = e.type === 5 || e.type === 10 ? e.values.length : e.values.length;
  const unit = e.type === 5 || e.type === 10 ? 4 : size;
  const b = Buffer.alloc(n * unit);
  e.values.forEach((v, i) => {
    if (unit === 1) b.writeUInt8(v, i);
    else if (unit === 2) b.writeUInt16LE(v, i * 2);
    else if (e.type === 10) b.writeInt32LE(v, i * 4);
    else b.writeUInt32LE(v, i * 4);
  });
  return b;
}
