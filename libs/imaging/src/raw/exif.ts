import type { Exif } from 'sharp';
import type { RawInfo } from './decoders/types.js';
import type { MetadataSettings } from './preset.js';
import { TAG, TiffReader } from './tiff.js';

/**
 * EXIF carried to the renditions, as libvips field strings. Decoded pixels lose the source's metadata
 * blob, so the fields worth keeping are read (from the source EXIF or LibRaw) and written back
 * explicitly; GPS is simply never written when stripGps is set.
 */
export type ExifFields = Exif;

const fmtDate = (d: Date) => d.toISOString().slice(0, 19).replace(/-/g, ':').replace('T', ' ');
function rational(v: number, den = 10000): string {
  if (v > 0 && v < 1) return `1/${Math.round(1 / v)}`;
  return `${Math.round(v * den)}/${den}`;
}

/** Fields from an EXIF blob as returned by sharp's metadata().exif ("Exif\0\0" + TIFF). */
export function exifFieldsFromBlob(blob: Buffer | undefined): ExifFields {
  if (!blob || blob.length < 14) return {};
  const base = blob.toString('latin1', 0, 4) === 'Exif' ? 6 : 0;
  let r: TiffReader;
  try {
    r = new TiffReader(blob, base);
  } catch {
    return {};
  }
  const ifd0: Record<string, string> = {};
  const ifd2: Record<string, string> = {};
  const ifd3: Record<string, string> = {};
  const i0 = r.ifd(r.firstIfd);
  const setA = (dst: Record<string, string>, name: string, v: string | undefined) => v && (dst[name] = v);
  setA(ifd0, 'Make', r.ascii(i0.get(TAG.Make)));
  setA(ifd0, 'Model', r.ascii(i0.get(TAG.Model)));
  setA(ifd0, 'DateTime', r.ascii(i0.get(TAG.DateTime)));
  setA(ifd0, 'Artist', r.ascii(i0.get(TAG.Artist)));
  setA(ifd0, 'Copyright', r.ascii(i0.get(TAG.Copyright)));
  const exifOff = r.numbers(i0.get(TAG.ExifIFD))?.[0];
  if (exifOff) {
    const e = r.ifd(exifOff);
    setA(ifd2, 'DateTimeOriginal', r.ascii(e.get(TAG.DateTimeOriginal)));
    setA(ifd2, 'ExposureTime', r.rationals(e.get(TAG.ExposureTime))?.[0]);
    setA(ifd2, 'FNumber', r.rationals(e.get(TAG.FNumber))?.[0]);
    setA(ifd2, 'FocalLength', r.rationals(e.get(TAG.FocalLength))?.[0]);
    const iso = r.numbers(e.get(TAG.ISO))?.[0];
    if (iso) ifd2.ISOSpeedRatings = String(iso);
    setA(ifd2, 'LensModel', r.ascii(e.get(TAG.LensModel)));
  }
  const gpsOff = r.numbers(i0.get(TAG.GpsIFD))?.[0];
  if (gpsOff) {
    const g = r.ifd(gpsOff);
    setA(ifd3, 'GPSLatitudeRef', r.ascii(g.get(0x0001)));
    setA(ifd3, 'GPSLatitude', r.rationals(g.get(0x0002))?.join(' '));
    setA(ifd3, 'GPSLongitudeRef', r.ascii(g.get(0x0003)));
    setA(ifd3, 'GPSLongitude', r.rationals(g.get(0x0004))?.join(' '));
  }
  const out: ExifFields = {};
  if (Object.keys(ifd0).length) out.IFD0 = ifd0;
  if (Object.keys(ifd2).length) out.IFD2 = ifd2;
  if (Object.keys(ifd3).length) out.IFD3 = ifd3;
  return out;
}

/** Fields from what LibRaw reported about a RAW file. */
export function exifFieldsFromRawInfo(info: RawInfo | null): ExifFields {
  if (!info) return {};
  const ifd0: Record<string, string> = {};
  const ifd2: Record<string, string> = {};
  if (info.make) ifd0.Make = info.make;
  if (info.model) ifd0.Model = info.model;
  if (info.artist) ifd0.Artist = info.artist;
  if (info.timestamp) ifd2.DateTimeOriginal = fmtDate(info.timestamp);
  if (info.exposureTime) ifd2.ExposureTime = rational(info.exposureTime);
  if (info.fNumber) ifd2.FNumber = rational(info.fNumber, 10);
  if (info.focalLength) ifd2.FocalLength = rational(info.focalLength, 10);
  if (info.iso) ifd2.ISOSpeedRatings = String(Math.round(info.iso));
  const out: ExifFields = {};
  if (Object.keys(ifd0).length) out.IFD0 = ifd0;
  if (Object.keys(ifd2).length) out.IFD2 = ifd2;
  return out;
}

/** Apply the preset's metadata rules; null means "write no EXIF at all". */
export function applyMetadataSettings(fields: ExifFields, settings: MetadataSettings): ExifFields | null {
  const out: ExifFields = {};
  if (settings.keepExif) {
    if (fields.IFD0) out.IFD0 = { ...fields.IFD0 };
    if (fields.IFD2) out.IFD2 = { ...fields.IFD2 };
    if (fields.IFD3 && !settings.stripGps) out.IFD3 = { ...fields.IFD3 };
  }
  if (settings.copyright) out.IFD0 = { ...out.IFD0, Copyright: settings.copyright };
  return Object.keys(out).length ? out : null;
}
