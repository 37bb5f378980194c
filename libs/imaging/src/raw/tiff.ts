/** Minimal TIFF/EXIF IFD reader: enough to classify TIFF-based RAWs and to read a few EXIF tags. */
export interface TiffEntry {
  tag: number;
  type: number;
  count: number;
  /** Offset of the value inside the buffer (inline or pointed to). */
  valueOffset: number;
}

const TYPE_SIZES: Record<number, number> = { 1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 6: 1, 7: 1, 8: 2, 9: 4, 10: 8, 11: 4, 12: 8, 13: 4 };

export class TiffReader {
  readonly little: boolean;
  constructor(
    readonly buf: Buffer,
    readonly base = 0,
  ) {
    const bo = buf.toString('latin1', base, base + 2);
    if (bo !== 'II' && bo !== 'MM') throw new Error('not a TIFF header');
    this.little = bo === 'II';
  }
  u16(off: number): number {
    return this.little ? this.buf.readUInt16LE(this.base + off) : this.buf.readUInt16BE(this.base + off);
  }
  u32(off: number): number {
    return this.little ? this.buf.readUInt32LE(this.base + off) : this.buf.readUInt32BE(this.base + off);
  }
  i32(off: number): number {
    return this.little ? this.buf.readInt32LE(this.base + off) : this.buf.readInt32BE(this.base + off);
  }
  get firstIfd(): number {
    return this.u32(4);
  }
  /** Entries of the IFD at `offset` (relative to the TIFF header); [] when it lies outside the buffer. */
  ifd(offset: number): Map<number, TiffEntry> {
    const out = new Map<number, TiffEntry>();
    if (offset < 8 || this.base + offset + 2 > this.buf.length) return out;
    const n = this.u16(offset);
    if (n > 1000) return out;
    for (let i = 0; i < n; i++) {
      const e = offset + 2 + i * 12;
      if (this.base + e + 12 > this.buf.length) break;
      const tag = this.u16(e);
      const type = this.u16(e + 2);
      const count = this.u32(e + 4);
      const size = (TYPE_SIZES[type] ?? 1) * count;
      const valueOffset = size <= 4 ? e + 8 : this.u32(e + 8);
      out.set(tag, { tag, type, count, valueOffset });
    }
    return out;
  }
  has(entry: TiffEntry | undefined): entry is TiffEntry {
    if (!entry) return false;
    const size = (TYPE_SIZES[entry.type] ?? 1) * entry.count;
    return this.base + entry.valueOffset + size <= this.buf.length;
  }
  ascii(entry: TiffEntry | undefined): string | undefined {
    if (!this.has(entry)) return undefined;
    const s = this.buf.toString('latin1', this.base + entry.valueOffset, this.base + entry.valueOffset + entry.count);
    const t = s.replace(/\0[\s\S]*$/, '').trim();
    return t.length ? t : undefined;
  }
  /** Numeric values (SHORT, LONG, RATIONAL as n/d numbers, SRATIONAL, BYTE). */
  numbers(entry: TiffEntry | undefined): number[] | undefined {
    if (!this.has(entry)) return undefined;
    const out: number[] = [];
    for (let i = 0; i < Math.min(entry.count, 64); i++) {
      switch (entry.type) {
        case 1:
        case 7:
          out.push(this.buf[this.base + entry.valueOffset + i]);
          break;
        case 3:
          out.push(this.u16(entry.valueOffset + i * 2));
          break;
        case 4:
          out.push(this.u32(entry.valueOffset + i * 4));
          break;
        case 9:
          out.push(this.i32(entry.valueOffset + i * 4));
          break;
        case 5:
        case 10: {
          const n = entry.type === 5 ? this.u32(entry.valueOffset + i * 8) : this.i32(entry.valueOffset + i * 8);
          const d = entry.type === 5 ? this.u32(entry.valueOffset + i * 8 + 4) : this.i32(entry.valueOffset + i * 8 + 4);
          out.push(d === 0 ? 0 : n / d);
          break;
        }
        default:
          return undefined;
      }
    }
    return out;
  }
  /** RATIONAL values as "n/d" strings (the form libvips accepts for EXIF fields). */
  rationals(entry: TiffEntry | undefined): string[] | undefined {
    if (!this.has(entry) || (entry.type !== 5 && entry.type !== 10)) return undefined;
    const out: string[] = [];
    for (let i = 0; i < Math.min(entry.count, 16); i++) {
      const n = entry.type === 5 ? this.u32(entry.valueOffset + i * 8) : this.i32(entry.valueOffset + i * 8);
      const d = entry.type === 5 ? this.u32(entry.valueOffset + i * 8 + 4) : this.i32(entry.valueOffset + i * 8 + 4);
      out.push(`${n}/${d}`);
    }
    return out;
  }
}

export const TAG = {
  NewSubfileType: 0x00fe,
  ImageWidth: 0x0100,
  ImageLength: 0x0101,
  Compression: 0x0103,
  Make: 0x010f,
  Model: 0x0110,
  Orientation: 0x0112,
  Software: 0x0131,
  DateTime: 0x0132,
  Artist: 0x013b,
  SubIFDs: 0x014a,
  Copyright: 0x8298,
  CFARepeatPatternDim: 0x828d,
  CFAPattern: 0x828e,
  ExifIFD: 0x8769,
  GpsIFD: 0x8825,
  ExposureTime: 0x829a,
  FNumber: 0x829d,
  ISO: 0x8827,
  DateTimeOriginal: 0x9003,
  FocalLength: 0x920a,
  LensModel: 0xa434,
  DNGVersion: 0xc612,
} as const;
