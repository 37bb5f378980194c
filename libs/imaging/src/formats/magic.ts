/**
 * Magic-byte signatures shared by the format sniffers (`renditions/sniff.ts` for clinic uploads,
 * `raw/sniff.ts` for studio RAW batches). Only the container is named here; what a sniffer accepts,
 * and how it labels the result, stays with the sniffer.
 */

export type Container = 'jpeg' | 'png' | 'webp' | 'gif' | 'tiff' | 'isobmff' | 'ciff' | 'unknown';

/**
 * The TIFF-structured headers: classic TIFF (`II*\0`, `MM\0*`), BigTIFF (`II+\0`, `MM\0+`), and the
 * private magics of Olympus ORF (`IIRO`, `MMOR`) and Panasonic RW2 (`IIU\0`).
 */
export type TiffMagic = 'tiff' | 'bigtiff' | 'orf' | 'rw2';

/** ISO-BMFF brands of HEIF images (HEVC-coded and generic image/sequence brands). */
export const HEIF_BRANDS: ReadonlySet<string> = new Set(['heic', 'heix', 'heim', 'heis', 'hevc', 'hevx', 'mif1', 'msf1']);
/** ISO-BMFF brands of AVIF images (a HEIF profile with AV1 coding). */
export const AVIF_BRANDS: ReadonlySet<string> = new Set(['avif', 'avis']);
/** ISO-BMFF brand of Canon CR3 RAWs. */
export const CR3_BRAND = 'crx ';

const TIFF_MAGICS: ReadonlyMap<string, TiffMagic> = new Map([
  ['II*\0', 'tiff'],
  ['MM\0*', 'tiff'],
  ['II+\0', 'bigtiff'],
  ['MM\0+', 'bigtiff'],
  ['IIRO', 'orf'],
  ['MMOR', 'orf'],
  ['IIU\0', 'rw2'],
]);

/** Bytes `start`..`end` as Latin-1 text (shorter when the buffer ends first). */
export function ascii(head: Buffer, start: number, end: number): string {
  return head.toString('latin1', start, Math.min(end, head.length));
}

/** Whether `head` holds `signature` at `offset`. */
export function hasBytes(head: Buffer, signature: readonly number[], offset = 0): boolean {
  if (head.length < offset + signature.length) return false;
  return signature.every((value, i) => head[offset + i] === value);
}

export function tiffMagic(head: Buffer): TiffMagic | undefined {
  return head.length < 4 ? undefined : TIFF_MAGICS.get(ascii(head, 0, 4));
}

/**
 * The brands of an ISO-BMFF `ftyp` box: the major brand first, then the compatible brands (those
 * the buffer holds). Empty when `head` does not start with an `ftyp` box.
 */
export function isoBmffBrands(head: Buffer): string[] {
  if (head.length < 12 || ascii(head, 4, 8) !== 'ftyp') return [];
  const end = Math.min(head.readUInt32BE(0), head.length);
  const brands = [ascii(head, 8, 12)];
  // Bytes 12..16 hold the minor version, not a brand.
  for (let offset = 16; offset + 4 <= end; offset += 4) brands.push(ascii(head, offset, offset + 4));
  return brands;
}

/** 'avif' or 'heif' when any brand names one ('avif' wins), else undefined. */
export function heifFamily(brands: readonly string[]): 'avif' | 'heif' | undefined {
  if (brands.some((brand) => AVIF_BRANDS.has(brand))) return 'avif';
  if (brands.some((brand) => HEIF_BRANDS.has(brand))) return 'heif';
  return undefined;
}

/**
 * The container `head` starts with. The order settles headers that match two signatures, such as a
 * TIFF magic whose IFD offset spells `ftyp`: CIFF and ISO-BMFF are tried before TIFF.
 */
export function containerOf(head: Buffer): Container {
  if (hasBytes(head, [0xff, 0xd8, 0xff])) return 'jpeg';
  if (hasBytes(head, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'png';
  if (ascii(head, 0, 4) === 'RIFF' && ascii(head, 8, 12) === 'WEBP') return 'webp';
  if (ascii(head, 0, 6) === 'GIF87a' || ascii(head, 0, 6) === 'GIF89a') return 'gif';
  if (ascii(head, 6, 14) === 'HEAPCCDR') return 'ciff';
  if (isoBmffBrands(head).length > 0) return 'isobmff';
  if (tiffMagic(head)) return 'tiff';
  return 'unknown';
}
