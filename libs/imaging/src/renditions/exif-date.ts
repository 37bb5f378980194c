const EXIF_IFD_POINTER = 0x8769;
const DATE_TIME_ORIGINAL = 0x9003;
const OFFSET_TIME_ORIGINAL = 0x9011;
const SUB_SEC_TIME_ORIGINAL = 0x9291;
const ASCII = 2;
const LONG = 4;

interface IfdEntry {
  readonly type: number;
  readonly count: number;
  /** Offset of the 4-byte value/offset field. */
  readonly valueField: number;
}

/** Minimal TIFF reader over an EXIF block: just enough to find three ASCII tags. */
class TiffReader {
  private constructor(
    private readonly bytes: Buffer,
    private readonly littleEndian: boolean,
  ) {}

  static open(exif: Buffer): TiffReader | null {
    // sharp hands out the APP1 payload, which starts with "Exif\0\0".
    const start = exif.toString('latin1', 0, 6) === 'Exif\0\0' ? 6 : 0;
    const bytes = exif.subarray(start);
    if (bytes.length < 8) return null;
    const order = bytes.toString('latin1', 0, 2);
    if (order !== 'II' && order !== 'MM') return null;
    return new TiffReader(bytes, order === 'II');
  }

  private u16(offset: number): number {
    return this.littleEndian ? this.bytes.readUInt16LE(offset) : this.bytes.readUInt16BE(offset);
  }

  private u32(offset: number): number {
    return this.littleEndian ? this.bytes.readUInt32LE(offset) : this.bytes.readUInt32BE(offset);
  }

  firstIfdOffset(): number {
    return this.u32(4);
  }

  entries(ifdOffset: number): Map<number, IfdEntry> {
    const entries = new Map<number, IfdEntry>();
    if (ifdOffset < 8 || ifdOffset + 2 > this.bytes.length) return entries;
    const count = this.u16(ifdOffset);
    for (let i = 0; i < count; i++) {
      const at = ifdOffset + 2 + i * 12;
      if (at + 12 > this.bytes.length) break;
      entries.set(this.u16(at), { type: this.u16(at + 2), count: this.u32(at + 4), valueField: at + 8 });
    }
    return entries;
  }

  long(entry: IfdEntry | undefined): number | null {
    return entry && entry.type === LONG && entry.count === 1 ? this.u32(entry.valueField) : null;
  }

  ascii(entry: IfdEntry | undefined): string | null {
    if (!entry || entry.type !== ASCII || entry.count === 0) return null;
    const start = entry.count <= 4 ? entry.valueField : this.u32(entry.valueField);
    const end = start + entry.count;
    if (end > this.bytes.length) return null;
    return this.bytes
      .toString('latin1', start, end)
      .replace(/\0[\s\S]*$/, '')
      .trim();
  }
}

const DATE_TIME = /^(\d{4}):(\d{2}):(\d{2})[ T](\d{2}):(\d{2}):(\d{2})$/;
const OFFSET = /^([+-])(\d{2}):(\d{2})$/;

/**
 * EXIF DateTimeOriginal as an ISO-8601 UTC instant.
 * Uses OffsetTimeOriginal when present; without it the camera's local time is taken as UTC,
 * since EXIF gives no zone. Unset, blank ("    :  :     :  :  ") or invalid values give null.
 */
export function readTakenAt(exif: Buffer | undefined): string | null {
  if (!exif) return null;
  try {
    const tiff = TiffReader.open(exif);
    if (!tiff) return null;
    const exifIfd = tiff.long(tiff.entries(tiff.firstIfdOffset()).get(EXIF_IFD_POINTER));
    if (exifIfd === null) return null;
    const tags = tiff.entries(exifIfd);
    return toIsoUtc(
      tiff.ascii(tags.get(DATE_TIME_ORIGINAL)),
      tiff.ascii(tags.get(SUB_SEC_TIME_ORIGINAL)),
      tiff.ascii(tags.get(OFFSET_TIME_ORIGINAL)),
    );
  } catch {
    return null; // malformed EXIF never fails the upload
  }
}

export function toIsoUtc(dateTime: string | null, subSec: string | null, offset: string | null): string | null {
  const match = dateTime ? DATE_TIME.exec(dateTime) : null;
  if (!match) return null;
  const [year, month, day, hour, minute, second] = match.slice(1).map(Number) as [number, number, number, number, number, number];
  const millis = subSec && /^\d+$/.test(subSec) ? Math.round(Number(`0.${subSec}`) * 1000) % 1000 : 0;
  let utc = Date.UTC(year, month - 1, day, hour, minute, second, millis);
  const date = new Date(utc);
  // Reject impossible calendar values (Date.UTC silently rolls 2021-02-30 over to March).
  if (
    date.getUTCFullYear() !== year ||
    date.getUTCMonth() !== month - 1 ||
    date.getUTCDate() !== day ||
    hour > 23 ||
    minute > 59 ||
    second > 59
  ) {
    return null;
  }
  const zone = offset ? OFFSET.exec(offset) : null;
  if (zone) utc -= (zone[1] === '-' ? -1 : 1) * (Number(zone[2]) * 60 + Number(zone[3])) * 60_000;
  return new Date(utc).toISOString();
}
