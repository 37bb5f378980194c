import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { containerOf, hasBytes, heifFamily, isoBmffBrands, tiffMagic } from './magic.js';

/** An `ftyp` box: size, 'ftyp', major brand, minor version, compatible brands. */
function ftyp(major: string, ...compatible: string[]): Buffer {
  const box = Buffer.concat([
    Buffer.alloc(4),
    Buffer.from(`ftyp${major}`, 'latin1'),
    Buffer.alloc(4),
    Buffer.from(compatible.join(''), 'latin1'),
  ]);
  box.writeUInt32BE(box.length, 0);
  return box;
}

describe('containerOf', () => {
  const cases: Array<[Buffer, string]> = [
    [Buffer.from([0xff, 0xd8, 0xff, 0xe0]), 'jpeg'],
    [Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0]), 'png'],
    [Buffer.from('RIFF\0\0\0\0WEBPVP8 ', 'latin1'), 'webp'],
    [Buffer.from('GIF87a', 'latin1'), 'gif'],
    [Buffer.from('GIF89a', 'latin1'), 'gif'],
    [Buffer.from('II\x1a\0\0\0HEAPCCDR', 'latin1'), 'ciff'],
    [ftyp('heic', 'mif1'), 'isobmff'],
    [Buffer.from('II*\0\x08\0\0\0', 'latin1'), 'tiff'],
    [Buffer.from('MM\0+\0\x08\0\0', 'latin1'), 'tiff'],
    [Buffer.from('IIRO\x08\0\0\0', 'latin1'), 'tiff'],
    [Buffer.alloc(0), 'unknown'],
    [Buffer.from([0xff, 0xd8]), 'unknown'],
    [Buffer.from('GIF88a', 'latin1'), 'unknown'],
    [Buffer.from('RIFF\0\0\0\0WAVE', 'latin1'), 'unknown'],
  ];
  for (const [head, container] of cases) {
    it(`names ${JSON.stringify(head.toString('latin1', 0, 14))} ${container}`, () => {
      assert.equal(containerOf(head), container);
    });
  }

  it('tries CIFF and ISO-BMFF before a TIFF magic', () => {
    assert.equal(containerOf(Buffer.from('II*\0ftypheic\0\0\0\0', 'latin1')), 'isobmff');
    assert.equal(containerOf(Buffer.from('II*\0\0\0HEAPCCDR', 'latin1')), 'ciff');
  });
});

describe('tiffMagic', () => {
  it('tells classic TIFF, BigTIFF and the private RAW magics apart', () => {
    assert.equal(tiffMagic(Buffer.from('II*\0', 'latin1')), 'tiff');
    assert.equal(tiffMagic(Buffer.from('MM\0*', 'latin1')), 'tiff');
    assert.equal(tiffMagic(Buffer.from('II+\0', 'latin1')), 'bigtiff');
    assert.equal(tiffMagic(Buffer.from('MM\0+', 'latin1')), 'bigtiff');
    assert.equal(tiffMagic(Buffer.from('IIRO', 'latin1')), 'orf');
    assert.equal(tiffMagic(Buffer.from('MMOR', 'latin1')), 'orf');
    assert.equal(tiffMagic(Buffer.from('IIU\0', 'latin1')), 'rw2');
    assert.equal(tiffMagic(Buffer.from('II*', 'latin1')), undefined);
    assert.equal(tiffMagic(Buffer.from('MM*\0', 'latin1')), undefined);
  });
});

describe('isoBmffBrands', () => {
  it('lists the major brand, then the compatible brands, skipping the minor version', () => {
    assert.deepEqual(isoBmffBrands(ftyp('heic', 'mif1', 'heic')), ['heic', 'mif1', 'heic']);
    assert.deepEqual(isoBmffBrands(ftyp('crx ', 'crx ', 'isom')), ['crx ', 'crx ', 'isom']);
  });

  it('stops at the end of the ftyp box or of the buffer', () => {
    const box = ftyp('avif', 'mif1', 'miaf');
    assert.deepEqual(isoBmffBrands(Buffer.concat([box, Buffer.from('\0\0\0\x08free', 'latin1')])), ['avif', 'mif1', 'miaf']);
    assert.deepEqual(isoBmffBrands(box.subarray(0, 22)), ['avif', 'mif1']);
    assert.deepEqual(isoBmffBrands(box.subarray(0, 12)), ['avif']);
  });

  it('is empty without an ftyp box', () => {
    assert.deepEqual(isoBmffBrands(ftyp('heic').subarray(0, 11)), []);
    assert.deepEqual(isoBmffBrands(Buffer.from('\0\0\0\x10moovheic\0\0\0\0', 'latin1')), []);
  });
});

describe('heifFamily', () => {
  it('prefers AVIF, then HEIF, from any brand', () => {
    assert.equal(heifFamily(['mif1', 'avif']), 'avif');
    assert.equal(heifFamily(['avis']), 'avif');
    assert.equal(heifFamily(['isom', 'heic']), 'heif');
    assert.equal(heifFamily(['msf1']), 'heif');
    assert.equal(heifFamily(['isom', 'iso2', 'mp41']), undefined);
    assert.equal(heifFamily([]), undefined);
  });
});

describe('hasBytes', () => {
  it('matches a signature at an offset, never past the end', () => {
    assert.equal(hasBytes(Buffer.from([1, 2, 3]), [2, 3], 1), true);
    assert.equal(hasBytes(Buffer.from([1, 2, 3]), [3, 4], 2), false);
    assert.equal(hasBytes(Buffer.from([1, 2]), [1, 2, 3]), false);
  });
});
