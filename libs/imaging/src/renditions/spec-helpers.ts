// Test-only helpers shared by the *.spec.ts files of this folder.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import sharp, { type Sharp } from 'sharp';
import { fixture } from '../../../../test/support/fixtures.js';
import type { RenderedRendition } from './encode.js';
import { isSrgbProfile } from './icc.js';

export function image(name: string): Buffer {
  return readFileSync(fixture('images', name));
}

export function rendition(renditions: readonly RenderedRendition[], name: string): RenderedRendition {
  const found = renditions.find((r) => r.name === name);
  if (!found) throw new Error(`no ${name} rendition`);
  return found;
}

/** Mean RGB of each cell of a coarse grid: a cheap, resize-tolerant picture of an image. */
export async function colourGrid(input: Buffer | Sharp, columns = 6, rows = 4): Promise<number[]> {
  const pipeline = Buffer.isBuffer(input) ? sharp(input) : input;
  const data = await pipeline.resize(columns, rows, { fit: 'fill' }).removeAlpha().toColourspace('srgb').raw().toBuffer();
  return [...data];
}

export function meanAbsDiff(a: readonly number[], b: readonly number[]): number {
  if (a.length !== b.length) throw new Error(`grid sizes differ: ${a.length} vs ${b.length}`);
  return a.reduce((sum, value, i) => sum + Math.abs(value - b[i]), 0) / a.length;
}

/** The ICC profile description ("desc" tag), v2 'desc' or v4 'mluc'. */
export function iccDescription(icc: Buffer): string {
  const count = icc.readUInt32BE(128);
  for (let i = 0; i < count; i++) {
    const at = 132 + i * 12;
    if (icc.toString('latin1', at, at + 4) !== 'desc') continue;
    const offset = icc.readUInt32BE(at + 4);
    const type = icc.toString('latin1', offset, offset + 4);
    if (type === 'desc') return icc.toString('latin1', offset + 12, offset + 12 + icc.readUInt32BE(offset + 8)).replace(/\0+$/, '');
    if (type === 'mluc') {
      const length = icc.readUInt32BE(offset + 20);
      const start = offset + icc.readUInt32BE(offset + 24);
      return icc
        .subarray(start, start + length)
        .swap16()
        .toString('utf16le');
    }
  }
  return '';
}

/** Tag ids of the first IFD of an EXIF block. */
export function ifd0Tags(exif: Buffer): number[] {
  const tiff = exif.toString('latin1', 0, 6) === 'Exif\0\0' ? exif.subarray(6) : exif;
  const le = tiff.toString('latin1', 0, 2) === 'II';
  const u16 = (at: number) => (le ? tiff.readUInt16LE(at) : tiff.readUInt16BE(at));
  const ifd = le ? tiff.readUInt32LE(4) : tiff.readUInt32BE(4);
  return Array.from({ length: u16(ifd) }, (_, i) => u16(ifd + 2 + i * 12));
}

/** Every rendition is 8-bit, 3-channel sRGB with no EXIF/XMP/IPTC; the JPEG carries an sRGB profile. */
export async function assertCleanSrgb(r: RenderedRendition): Promise<void> {
  const meta = await sharp(r.data).metadata();
  assert.equal(meta.format, r.format, `${r.name} format`);
  assert.equal(meta.width, r.width, `${r.name} width`);
  assert.equal(meta.height, r.height, `${r.name} height`);
  assert.equal(meta.space, 'srgb', `${r.name} colour space`);
  assert.equal(meta.depth, 'uchar', `${r.name} depth`);
  assert.equal(meta.channels, 3, `${r.name} channels`);
  assert.equal(meta.exif, undefined, `${r.name} has EXIF`);
  assert.equal(meta.xmp, undefined, `${r.name} has XMP`);
  assert.equal(meta.iptc, undefined, `${r.name} has IPTC`);
  if (r.format === 'jpeg') {
    assert.ok(meta.icc, `${r.name} lacks an ICC profile`);
    assert.equal(isSrgbProfile(meta.icc), true, `${r.name} ICC is not sRGB`);
    assert.match(iccDescription(meta.icc), /sRGB/);
  } else {
    assert.equal(meta.icc, undefined, `${r.name} should carry no profile (WebP is sRGB by default)`);
  }
}
